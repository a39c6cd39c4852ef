//! Demo data: one organisation, two teams, four professionals with different
//! roles and synthetic patient records with valid test NHS numbers (the 999
//! range, which is never issued to a real person).

mod carers;

pub use carers::DEMO_CARED_FOR_EMAIL;
use portico_types::{DateOfBirth, EmailAddress, MobileNumber, NhsNumber, OdsCode, Postcode};
use time::{Date, Duration, OffsetDateTime};

use crate::auth::passwords;
use crate::clock::stored;
use crate::db::{Db, Engine, Statement};
use crate::records::details::PatientDetails;
use crate::records::entries::{EntryDetails, EntryKind, upsert_entry};
use crate::records::store::{ChangedBy, upsert_patient};

/// The password every demo professional signs in with.
pub const DEMO_PASSWORD: &str = "portico-demo-password";
pub const DEMO_ODS_CODE: &str = "X26DEMO";

/// A demo professional: email, name, and (team slug, role) pairs.
pub type DemoProfessional = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

pub const PROFESSIONALS: [DemoProfessional; 4] = [
    ("asha.patel@demo.portico.example", "Dr Asha Patel", &[("diabetes", "clinician"), ("diabetes", "admin")]),
    ("sam.okafor@demo.portico.example", "Sam Okafor", &[("diabetes", "receptionist"), ("respiratory", "receptionist")]),
    (
        "morgan.reid@demo.portico.example",
        "Morgan Reid",
        &[("diabetes", "safeguarding_lead"), ("respiratory", "safeguarding_lead"), ("respiratory", "clinician")],
    ),
    ("jordan.hughes@demo.portico.example", "Jordan Hughes", &[("respiratory", "admin")]),
];

/// The authenticator secret every demo professional's second factor is set up
/// with (20 bytes, as RFC 6238 asks). `portico demo` prints it in base 32 and
/// `portico demo-code` the code it gives now. A demo's secret is no secret:
/// never seed the demo organisation into a live database.
pub const DEMO_TOTP_SECRET: &[u8; 20] = b"portico-demo-totp-20";

/// Sets the demo professionals' authenticators up with [`DEMO_TOTP_SECRET`],
/// sealed under this server's `keys` (those that have one keep it).
pub async fn enrol_second_factors(db: &Db, keys: &crate::secrets::Keys, now: OffsetDateTime) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    for (email, ..) in PROFESSIONALS {
        let account: Option<String> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1").bind(email).fetch_optional(&mut *tx).await?;
        if let Some(account_id) = account {
            crate::auth::second_factor::enrol_confirmed(&mut tx, keys, &account_id, DEMO_TOTP_SECRET, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The demo team whose join page (`/join/diabetes`) is open, and what it says.
pub const JOIN_TEAM: &str = "diabetes";
pub const JOIN_MESSAGE: &str = "If you are under the care of our diabetes clinic and have not been invited to \
     Portico, ask to join here. We check every request against our records, usually within 2 working days.";

const TEAMS: [(&str, &str); 2] = [("diabetes", "Diabetes Clinic"), ("respiratory", "Respiratory Clinic")];

const GIVEN: [&str; 24] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Grace", "Aisha", "Priya", "Zara", "Noah",
    "Oliver", "George", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Jack", "Rhys", "Tomasz", "Kwame",
];
const FAMILY: [&str; 24] = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Khan", "Patel", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Nowak",
    "Mensah", "O'Brien",
];

/// What seeding made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub records: usize,
    pub already_there: bool,
}

/// Seeds the demo organisation with `records` patients, unless it is there already.
pub async fn seed(db: &Db, records: usize, now: OffsetDateTime) -> anyhow::Result<Seeded> {
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM organisations WHERE ods_code = $1")
        .bind(DEMO_ODS_CODE)
        .fetch_optional(&db.pool)
        .await?;
    if exists.is_some() {
        return Ok(Seeded { records: 0, already_there: true });
    }
    let mut hashes = Vec::new();
    for _ in PROFESSIONALS {
        hashes.push(tokio::task::spawn_blocking(|| passwords::hash_blocking(DEMO_PASSWORD)).await??);
    }
    let at = stored(now);
    let mut tx = db.begin_write().await?;
    let org_id = new_id();
    sqlx::query("INSERT INTO organisations (id, ods_code, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&org_id)
        .bind(DEMO_ODS_CODE)
        .bind("Portico Demo NHS Foundation Trust")
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    let mut team_ids = Vec::new();
    for (slug, name) in TEAMS {
        team_ids.push((slug, insert_team(&mut tx, &org_id, slug, name, &at).await?));
    }
    let team_id = |slug: &str| team_ids.iter().find(|(s, _)| *s == slug).map(|(_, id)| id.clone());
    // The diabetes clinic's join page is open, for patients nobody invited;
    // the respiratory clinic's stays closed.
    sqlx::query(
        "INSERT INTO team_join_pages (team_id, enabled, message, admission, updated_at) \
         VALUES ($1, 1, $2, 'review_all', $3)",
    )
    .bind(team_id(JOIN_TEAM))
    .bind(JOIN_MESSAGE)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    for ((email, name, roles), hash) in PROFESSIONALS.iter().zip(hashes) {
        let account_id = new_id();
        sqlx::query(
            "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $3)",
        )
        .bind(&account_id)
        .bind(email)
        .bind(&at)
        .bind(hash)
        .bind(name)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO professionals (account_id, organisation_id, created_at) VALUES ($1, $2, $3)")
            .bind(&account_id)
            .bind(&org_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        for (slug, role) in *roles {
            sqlx::query("INSERT INTO team_roles (account_id, team_id, role) VALUES ($1, $2, $3)")
                .bind(&account_id)
                .bind(team_id(slug))
                .bind(role)
                .execute(&mut *tx)
                .await?;
        }
    }
    let patients = synthetic_patients(records, now.date());
    let [(_, diabetes), (_, respiratory)] = [&team_ids[0], &team_ids[1]].map(|(s, id)| (*s, id.clone()));
    for chunk in patients.chunks(200) {
        let mut insert = Statement::new(
            "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, mobile, \
             address_lines, postcode, created_at, updated_at) ",
        );
        insert.values(chunk, |row, p| {
            row.bind(p.id.as_str())
                .bind(p.nhs_number.as_digits())
                .bind(p.given)
                .bind(p.family)
                .bind(format!("{} {}", p.given, p.family).to_lowercase())
                .bind(p.date_of_birth.to_string())
                .bind(p.email.clone())
                .bind(p.mobile.clone())
                .bind(p.address.as_ref().map(|(lines, _)| lines.clone()))
                .bind(p.address.as_ref().map(|(_, postcode)| (*postcode).to_owned()))
                .bind(at.as_str())
                .bind(at.as_str());
        });
        insert.query()?.execute(&mut *tx).await?;
        let memberships: Vec<(&str, &str)> = chunk
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                // Most patients are in one team, every third in both.
                let both = i % 3 == 0;
                let first = if p.index % 2 == 0 { diabetes.as_str() } else { respiratory.as_str() };
                let second = if p.index % 2 == 0 { respiratory.as_str() } else { diabetes.as_str() };
                std::iter::once((first, p.id.as_str())).chain(both.then_some((second, p.id.as_str())))
            })
            .collect();
        let mut join = Statement::new("INSERT INTO team_records (team_id, record_id, added_at) ");
        join.values(memberships, |row, (team, record)| {
            row.bind(team).bind(record).bind(at.as_str());
        });
        join.query()?.execute(&mut *tx).await?;
    }
    professionals_as_patients(&mut tx, &respiratory, &at).await?;
    if let Some(first) = patients.first() {
        let olivia = demo_patient(&mut tx, first, &at, now).await?;
        carers::seed(&mut tx, &org_id, &diabetes, &olivia, now).await?;
        demo_history(&mut tx, db.engine, &diabetes, first, now).await?;
    }
    tx.commit().await?;
    Ok(Seeded { records: patients.len(), already_there: false })
}

/// Two professionals with records of their own in the respiratory team:
/// Sam Okafor found by the NHS number on his staff profile, Jordan Hughes by
/// his verified email and date of birth. Jordan, the team's admin, can
/// invite them both (himself too) from the team page.
pub const PROFESSIONAL_PATIENTS: [(&str, &str, &str, Date); 2] = [
    ("sam.okafor@demo.portico.example", "Sam", "Okafor", time::macros::date!(1988 - 03 - 14)),
    ("jordan.hughes@demo.portico.example", "Jordan", "Hughes", time::macros::date!(1979 - 11 - 02)),
];

async fn professionals_as_patients(tx: &mut crate::db::Tx, team_id: &str, at: &str) -> anyhow::Result<()> {
    // Stems far from the synthetic patients' so the numbers never meet.
    let mut stems = (999_900_000u32..).filter_map(NhsNumber::from_stem);
    for (i, (email, given, family, date_of_birth)) in PROFESSIONAL_PATIENTS.into_iter().enumerate() {
        let nhs_number = stems.next().ok_or_else(|| anyhow::anyhow!("no test NHS number left"))?;
        let record_id = new_id();
        let by_nhs_number = i == 0;
        sqlx::query(
            "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, email, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&record_id)
        .bind(nhs_number.as_digits())
        .bind(given)
        .bind(family)
        .bind(format!("{given} {family}").to_lowercase())
        .bind(date_of_birth.to_string())
        .bind((!by_nhs_number).then_some(email))
        .bind(at)
        .execute(&mut **tx)
        .await?;
        sqlx::query("INSERT INTO team_records (team_id, record_id, added_at) VALUES ($1, $2, $3)")
            .bind(team_id)
            .bind(&record_id)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        let (profile_nhs, profile_dob) = if by_nhs_number {
            (Some(nhs_number.as_digits().to_owned()), None)
        } else {
            (None, Some(date_of_birth.to_string()))
        };
        sqlx::query(
            "UPDATE professionals SET nhs_number = $2, date_of_birth = $3 \
             WHERE account_id = (SELECT id FROM accounts WHERE email = $1)",
        )
        .bind(email)
        .bind(profile_nhs)
        .bind(profile_dob)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The patient who owns the first record, with a few entries, so the patient's
/// record page has something to show before registration exists.
pub const DEMO_PATIENT_EMAIL: &str = "olivia.smith@patients.portico.example";

/// Makes the first record Olivia's, with an account; returns the account's id.
async fn demo_patient(
    tx: &mut crate::db::Tx,
    patient: &Patient,
    at: &str,
    now: OffsetDateTime,
) -> anyhow::Result<String> {
    let account_id = new_id();
    let hash = tokio::task::spawn_blocking(|| passwords::hash_blocking(DEMO_PASSWORD)).await??;
    sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $3)",
    )
    .bind(&account_id)
    .bind(DEMO_PATIENT_EMAIL)
    .bind(at)
    .bind(hash)
    .bind(format!("{} {}", patient.given, patient.family))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE records SET owner_account_id = $1 WHERE id = $2")
        .bind(&account_id)
        .bind(&patient.id)
        .execute(&mut **tx)
        .await?;
    let entries = [
        (EntryKind::Letter, "Clinic letter", Some("Summary of your diabetes review, with the plan we agreed."), 20),
        (EntryKind::Result, "HbA1c", Some("48 mmol/mol"), 14),
        (EntryKind::Appointment, "Diabetes clinic", Some("Outpatients, level 2. Bring your blood glucose diary."), -10),
    ];
    for (kind, title, body, days_ago) in entries {
        let entry = EntryDetails {
            kind,
            source_system: "demo".into(),
            source_id: title.into(),
            title: title.into(),
            body: body.map(str::to_owned),
            occurred_at: now - Duration::days(days_ago),
            sensitive: false,
        };
        upsert_entry(tx, &patient.id, &entry, now).await?;
    }
    Ok(account_id)
}

/// The demo patient's record as feeds made it: created by the hospital's PAS
/// over HL7 a month ago, then given an address and a GP practice by a CSV
/// upload, so the staff record page has a history to show.
async fn demo_history(
    tx: &mut crate::db::Tx,
    engine: Engine,
    team_id: &str,
    patient: &Patient,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let (uploader, ..) = PROFESSIONALS[0];
    let uploader: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1").bind(uploader).fetch_one(&mut **tx).await?;
    let mut details = PatientDetails {
        nhs_number: Some(patient.nhs_number),
        given_name: patient.given.to_owned(),
        family_name: patient.family.to_owned(),
        date_of_birth: DateOfBirth::from_stored(&patient.date_of_birth.to_string())?,
        email: patient.email.as_deref().map(EmailAddress::parse).transpose()?,
        mobile: patient.mobile.as_deref().map(MobileNumber::parse).transpose()?,
        address_lines: Vec::new(),
        postcode: None,
        gp_ods_code: None,
    };
    sqlx::query(
        "INSERT INTO record_versions (record_id, version, changed_at, changed_by, snapshot) VALUES ($1, 1, $2, $3, $4)",
    )
    .bind(&patient.id)
    .bind(stored(now - Duration::days(30)))
    .bind("hl7:DEMO-PAS")
    .bind(serde_json::to_string(&details)?)
    .execute(&mut **tx)
    .await?;
    details.address_lines = vec!["12 Station Road".to_owned(), "Leeds".to_owned()];
    details.postcode = Some(Postcode::parse("LS1 4DY")?);
    details.gp_ods_code = Some(OdsCode::parse("B86001")?);
    let by = ChangedBy(format!("csv:{uploader}"));
    upsert_patient(tx, engine, team_id, &details, None, &by, now - Duration::days(2)).await?;
    Ok(())
}

/// The NHS login stand-in's P9 users with a record (nhslogin/standin/users.json):
/// NHS number, given name, family name, date of birth, and whether the record
/// is excluded. The first is NHS login's own sandpit persona.
pub const NHS_LOGIN_PERSONAS: [(&str, &str, &str, Date, bool); 2] = [
    ("9686368973", "Mona", "Millar", time::macros::date!(1968 - 02 - 12), false),
    ("9998000017", "Ezra", "Exley", time::macros::date!(1985 - 09 - 30), true),
];
/// Their team: one of its own, so the other teams' lists stay as they were.
pub const NHS_LOGIN_TEAM: (&str, &str) = ("cardiology", "Cardiology Clinic");

/// Seeds the records the NHS login stand-in's users match (if absent): in the
/// Cardiology Clinic, whose safeguarding lead is Morgan Reid, who set the
/// exclusion on the second.
pub async fn seed_nhs_login_personas(db: &Db, now: OffsetDateTime) -> anyhow::Result<()> {
    let (lead, ..) = PROFESSIONALS[2];
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT o.id, a.id FROM organisations o, accounts a WHERE o.ods_code = $1 AND a.email = $2")
            .bind(DEMO_ODS_CODE)
            .bind(lead)
            .fetch_optional(&db.pool)
            .await?;
    let Some((org_id, lead_id)) = found else { anyhow::bail!("seed the demo organisation first") };
    let mut tx = db.begin_write().await?;
    let (slug, name) = NHS_LOGIN_TEAM;
    let team: Option<String> =
        sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1").bind(slug).fetch_optional(&mut *tx).await?;
    let team_id = match team {
        Some(id) => id,
        None => {
            let id = insert_team(&mut tx, &org_id, slug, name, &stored(now)).await?;
            sqlx::query("INSERT INTO team_roles (account_id, team_id, role) VALUES ($1, $2, 'safeguarding_lead')")
                .bind(&lead_id)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            id
        }
    };
    for (nhs_number, given, family, born, excluded) in NHS_LOGIN_PERSONAS {
        let details = PatientDetails {
            nhs_number: Some(NhsNumber::parse(nhs_number)?),
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            date_of_birth: DateOfBirth::from_stored(&born.to_string())?,
            email: None,
            mobile: None,
            address_lines: Vec::new(),
            postcode: None,
            gp_ods_code: None,
        };
        let by = ChangedBy("hl7:DEMO-PAS".into());
        let made = upsert_patient(&mut tx, db.engine, &team_id, &details, None, &by, now).await?;
        if excluded && made.outcome == crate::records::store::Outcome::Created {
            let reason = crate::records::exclusions::Reason::SafeguardingConcern;
            let note = "Demo: a sign-up for this record is held for review";
            crate::records::exclusions::set(&mut tx, &made.record_id, reason, note, &lead_id, "demo", now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_team(tx: &mut crate::db::Tx, org_id: &str, slug: &str, name: &str, at: &str) -> anyhow::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO teams (id, organisation_id, slug, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(org_id)
        .bind(slug)
        .bind(name)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

struct Patient {
    index: usize,
    id: String,
    nhs_number: NhsNumber,
    given: &'static str,
    family: &'static str,
    date_of_birth: Date,
    email: Option<String>,
    mobile: Option<String>,
    /// Address lines (newline-separated) and postcode.
    address: Option<(String, &'static str)>,
}

/// Streets and postcodes for the demo's postal addresses (Leeds, made up).
const STREETS: [(&str, &str); 6] = [
    ("Park Row", "LS1 5HD"),
    ("Otley Road", "LS6 3AA"),
    ("Harehills Lane", "LS8 4DE"),
    ("Kirkstall Road", "LS4 2AZ"),
    ("Roundhay Road", "LS7 1AB"),
    ("Beeston Road", "LS11 6AD"),
];

/// Deterministic synthetic patients: the same `count` gives the same people.
fn synthetic_patients(count: usize, today: Date) -> Vec<Patient> {
    let mut stems = (999_000_000u32..).filter_map(NhsNumber::from_stem);
    (0..count)
        .map_while(|index| {
            let nhs_number = stems.next()?;
            let mix = (index as u64 + 1).wrapping_mul(2_654_435_761) % 1_000_003;
            let given = GIVEN[index % GIVEN.len()];
            let family = FAMILY[(index / GIVEN.len() + index * 7) % FAMILY.len()];
            // Ages from a month to 95 years, spread by the mix.
            let days_old = 30 + i64::try_from(mix % (95 * 365)).unwrap_or(0);
            let date_of_birth = today - Duration::days(days_old);
            let handle = format!("{}.{}{}", given, family.replace('\'', ""), index).to_lowercase();
            Some(Patient {
                index,
                id: new_id(),
                nhs_number,
                given,
                family,
                date_of_birth,
                email: (index % 4 != 3).then(|| format!("{handle}@patients.portico.example")),
                // Stored as the feeds store it (E.164), so contacts compare as equal.
                mobile: (index % 5 != 4).then(|| format!("+4477009{:05}", index % 100_000)),
                address: (index % 6 != 5).then(|| {
                    let (street, postcode) = STREETS[index % STREETS.len()];
                    (format!("{} {street}\nLeeds", 1 + index % 180), postcode)
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn synthetic_patients_have_valid_test_numbers_and_past_birthdays() {
        let today = date!(2026 - 11 - 25);
        let patients = synthetic_patients(500, today);
        assert_eq!(patients.len(), 500);
        for p in &patients {
            assert!(p.nhs_number.as_digits().starts_with("999"));
            assert!(p.date_of_birth <= today);
        }
        let mut numbers: Vec<_> = patients.iter().map(|p| p.nhs_number).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 500);
    }
}
