//! The demo's carers, so the record switcher and the carers' pages have
//! something to show: Olivia Smith (the demo patient) is the mother of Leo,
//! 9, added by Dr Asha Patel with parental responsibility; and the carer of
//! her mother Margaret, 78, who invited her to see all but private and
//! sensitive entries (one is labelled sensitive).
//! Margaret signs in too (`margaret.smith@patients.portico.example`, the
//! demo password), to show the patient's side.

use time::{Duration, OffsetDateTime};

use super::{DEMO_PASSWORD, new_id};
use crate::auth::passwords;
use crate::clock::stored;
use crate::db::Tx;
use crate::records::entries::{EntryDetails, EntryKind, upsert_entry};
use portico_types::NhsNumber;

pub const DEMO_CARED_FOR_EMAIL: &str = "margaret.smith@patients.portico.example";

/// One demo record: given name, age in days, and its entries (kind, title, body, days ago, sensitive).
struct Dependant {
    given: &'static str,
    days_old: i64,
    entries: &'static [(EntryKind, &'static str, &'static str, i64, bool)],
}

const LEO: Dependant = Dependant {
    given: "Leo",
    days_old: 9 * 365 + 40,
    entries: &[
        (
            EntryKind::Appointment,
            "Children's diabetes clinic",
            "Bring Leo's meter and his school care plan.",
            -21,
            false,
        ),
        (EntryKind::Result, "HbA1c", "52 mmol/mol", 12, false),
    ],
};

const MARGARET: Dependant = Dependant {
    given: "Margaret",
    days_old: 78 * 365 + 100,
    entries: &[
        (EntryKind::Letter, "Clinic letter", "Summary of your review, with changes to your insulin.", 30, false),
        (EntryKind::Note, "Memory clinic referral", "Referred to the memory clinic, as we discussed.", 25, true),
        (EntryKind::Result, "Kidney function", "eGFR 58", 9, false),
    ],
};

/// Seeds both dependants into `team_id` and Olivia's links to them.
pub async fn seed(
    tx: &mut Tx,
    organisation_id: &str,
    team_id: &str,
    olivia_account_id: &str,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let at = stored(now);
    // Stems beyond the professionals' own (999 900 000 and up).
    let mut stems = (999_950_000u32..).filter_map(NhsNumber::from_stem);
    let mut next_number = || stems.next().ok_or_else(|| anyhow::anyhow!("no test NHS number left"));
    let asha: String = sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
        .bind(super::PROFESSIONALS[0].0)
        .fetch_one(&mut **tx)
        .await?;

    let leo = insert_record(tx, &LEO, next_number()?, team_id, now).await?;
    let born = now.date() - Duration::days(LEO.days_old);
    // The default age band: a parent's access ends at 16.
    let sixteenth = born.replace_year(born.year() + 16).unwrap_or(born + Duration::days(16 * 365));
    sqlx::query(
        "INSERT INTO carer_links (id, record_id, carer_account_id, kind, access_level, relationship, legal_basis, \
         organisation_id, starts_at, review_at, granted_by, next_band_age) \
         VALUES ($1, $2, $3, 'parent_guardian', 'everything', 'Mother', 'parental_responsibility', $4, $5, $6, $7, 16)",
    )
    .bind(new_id())
    .bind(&leo)
    .bind(olivia_account_id)
    .bind(organisation_id)
    .bind(&at)
    .bind(stored(sixteenth.midnight().assume_utc()))
    .bind(&asha)
    .execute(&mut **tx)
    .await?;

    let margaret = insert_record(tx, &MARGARET, next_number()?, team_id, now).await?;
    let hash = tokio::task::spawn_blocking(|| passwords::hash_blocking(DEMO_PASSWORD)).await??;
    let margaret_account = new_id();
    sqlx::query(
        "INSERT INTO accounts (id, email, email_verified_at, password_hash, display_name, created_at) \
         VALUES ($1, $2, $3, $4, 'Margaret Smith', $3)",
    )
    .bind(&margaret_account)
    .bind(DEMO_CARED_FOR_EMAIL)
    .bind(&at)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE records SET owner_account_id = $1 WHERE id = $2")
        .bind(&margaret_account)
        .bind(&margaret)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO carer_links (id, record_id, carer_account_id, kind, access_level, starts_at, granted_by) \
         VALUES ($1, $2, $3, 'adult_carer_consent', 'not_private', $4, $5)",
    )
    .bind(new_id())
    .bind(&margaret)
    .bind(olivia_account_id)
    .bind(&at)
    .bind(&margaret_account)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_record(
    tx: &mut Tx,
    who: &Dependant,
    nhs_number: NhsNumber,
    team_id: &str,
    now: OffsetDateTime,
) -> anyhow::Result<String> {
    let at = stored(now);
    let id = new_id();
    sqlx::query(
        "INSERT INTO records (id, nhs_number, given_name, family_name, search_name, date_of_birth, created_at, \
         updated_at) VALUES ($1, $2, $3, 'Smith', $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(nhs_number.as_digits())
    .bind(who.given)
    .bind(format!("{} smith", who.given.to_lowercase()))
    .bind((now.date() - Duration::days(who.days_old)).to_string())
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO team_records (team_id, record_id, added_at) VALUES ($1, $2, $3)")
        .bind(team_id)
        .bind(&id)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    for &(kind, title, body, days_ago, sensitive) in who.entries {
        let entry = EntryDetails {
            kind,
            source_system: "demo".into(),
            source_id: format!("{}-{title}", who.given),
            title: title.into(),
            body: Some(body.into()),
            occurred_at: now - Duration::days(days_ago),
            sensitive,
        };
        upsert_entry(tx, &id, &entry, now).await?;
    }
    Ok(id)
}
