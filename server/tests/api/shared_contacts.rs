//! Shared contacts: one mobile number on several records (a family). Staff
//! are warned before a campaign; each text names whom it is for and nothing
//! else; each code works only with its own record's date of birth; and a
//! family member who is excluded is left out without a word to the others.

use portico_server::db::Engine;
use portico_types::api::{CampaignView, CohortPreview, SharedContacts};
use serde_json::json;

use crate::campaigns::{app_with_paced_notify, exclude, only_in, post, team_id, texts_sent, until};
use crate::helpers::{browser, eventually};
use crate::invitations::{admin, start};

const FAMILY_MOBILE: &str = "+447700900123";

/// (record id, NHS number, given name, family name, date of birth)
type Member = (String, String, String, String, String);

async fn family_sharing_one_mobile(app: &crate::helpers::TestApp, size: usize) -> Vec<Member> {
    let mut family = Vec::new();
    for (record_id, _) in only_in(app, "diabetes").await.into_iter().take(size) {
        sqlx::query("UPDATE records SET mobile = $2 WHERE id = $1")
            .bind(&record_id)
            .bind(FAMILY_MOBILE)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let member: Member =
            sqlx::query_as("SELECT id, nhs_number, given_name, family_name, date_of_birth FROM records WHERE id = $1")
                .bind(&record_id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        family.push(member);
    }
    family
}

async fn a_family_sharing_a_mobile_is_warned_of_named_and_kept_apart(engine: Engine) {
    let (app, notify) = app_with_paced_notify(engine, 1000).await;
    let asha = admin(&app).await;
    let diabetes = team_id(&app, "diabetes").await;
    let family = family_sharing_one_mobile(&app, 3).await;
    let (excluded, invited) = family.split_last().unwrap();
    exclude(&app, &excluded.0).await;
    let listed: Vec<&str> = family.iter().map(|m| m.1.as_str()).collect();
    let cohort = json!({ "channel": "sms", "registration": "not_invited", "nhs_numbers_csv": listed.join("\n") });

    let preview = post(&app, &asha, &format!("/staff/teams/{diabetes}/campaigns/preview"), cohort.clone()).await;
    assert_eq!(preview.status(), 200);
    let preview: CohortPreview = preview.json().await.unwrap();
    assert_eq!((preview.to_invite, preview.excluded), (2, 1));
    // The excluded member is not counted among those sharing: staff see what will be sent.
    assert_eq!(preview.shared_contacts, Some(SharedContacts { records: 2, contacts: 1 }));
    // Unlisted, the whole team's cohort is counted in SQL and finds the same family.
    let whole = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns/preview"),
        json!({ "channel": "sms", "registration": "not_invited" }),
    )
    .await;
    let whole: CohortPreview = whole.json().await.unwrap();
    assert!(whole.shared_contacts.is_some_and(|s| s.records >= 2 && s.contacts >= 1), "{whole:?}");
    // Letters go to a household by name: no warning is counted for them.
    let letters = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns/preview"),
        json!({ "channel": "letter", "registration": "not_invited", "nhs_numbers_csv": listed.join("\n") }),
    )
    .await;
    assert_eq!(letters.json::<CohortPreview>().await.unwrap().shared_contacts, None);

    let started = post(
        &app,
        &asha,
        &format!("/staff/teams/{diabetes}/campaigns"),
        json!({
            "name": "A family", "cohort": cohort
        }),
    )
    .await;
    assert_eq!(started.status(), 201);
    let id = started.json::<CampaignView>().await.unwrap().campaign.id;
    until(&app, &asha, &id, |v| v.campaign.progress.issued == 2).await;
    eventually(|| async { (texts_sent(&notify).len() == 2).then_some(()) }).await;

    let texts = texts_sent(&notify);
    let mut codes = Vec::new();
    for member in invited {
        let named = format!("{} {}.", member.2, member.3.chars().next().unwrap().to_uppercase());
        let text = texts
            .iter()
            .find(|t| t.body["personalisation"]["name"] == named.as_str())
            .unwrap_or_else(|| panic!("no text names {named}: {texts:?}"));
        assert_eq!(text.body["phone_number"], FAMILY_MOBILE);
        codes.push(text.body["personalisation"]["code"].as_str().unwrap().to_owned());
    }
    // Nothing sent to the family names the excluded member or says anything of them.
    for text in &texts {
        let sent = text.body.to_string();
        assert!(!sent.contains(&excluded.2), "{sent}");
        assert!(!sent.to_lowercase().contains("exclu") && !sent.to_lowercase().contains("safeguard"), "{sent}");
    }

    // Each code is bound to its own record: a sibling's date of birth does not open it.
    let (first, second) = (&invited[0], &invited[1]);
    if first.4 != second.4 {
        let crossed = start(&app, &browser(), &codes[0], &second.4).await;
        assert_eq!(crossed.status(), 422, "a sibling's date of birth opens nothing");
    }
    assert_eq!(start(&app, &browser(), &codes[0], &first.4).await.status(), 201);
    assert_eq!(start(&app, &browser(), &codes[1], &second.4).await.status(), 201);
}

crate::on_both_engines!(a_family_sharing_a_mobile_is_warned_of_named_and_kept_apart);
