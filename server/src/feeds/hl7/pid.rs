//! The patient an ADT message describes: PID (and PD1) into Portico's
//! record details, every problem named by its field.
//!
//! | field | becomes |
//! | --- | --- |
//! | PID-3 | the NHS number: the repetition whose assigning authority is `NHS` (or its OID) or whose type is `NH` |
//! | PID-5 | names: the legal name (type `L`), else the first; given = XPN.2 and XPN.3 |
//! | PID-7 | date of birth (the date part) |
//! | PID-11 | address lines (XAD.1, .2, .3, .4) and postcode (XAD.5): the home address (`H`), else the first |
//! | PID-13 | email (use `NET` or type `Internet`, XTN.4) and mobile (type `CP`, else the first UK mobile number) |
//! | PD1-3 | GP practice ODS code (XON.10, else XON.3) |
//!
//! HL7 tells "no change" from "delete" for optional fields: an empty PID-11,
//! PID-13 or PD1-3 keeps what the record has, and `""` removes it.

use portico_types::{
    DateOfBirth, DateOfBirthError, EmailAddress, MobileNumber, NhsNumber, NhsNumberError, OdsCode, Postcode,
};
use time::Date;

use super::ack::{ErrorCode, Location, Problem};
use super::parse::{Component, Field, Message, Repetition, Segment};
use crate::records::details::{self, PatientDetails};

/// The OID of the NHS number, as an assigning authority's universal id.
const NHS_NUMBER_OID: &str = "2.16.840.1.113883.2.1.4.1";

/// An optional part of the record, as a message may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// The field was empty: keep what the record has.
    Keep,
    /// The field was sent (an explicit null sets the empty value).
    Set(T),
}

impl<T: Clone> Change<T> {
    fn or_current(&self, current: impl FnOnce() -> T) -> T {
        match self {
            Change::Keep => current(),
            Change::Set(value) => value.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub lines: Vec<String>,
    pub postcode: Option<Postcode>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub email: Option<EmailAddress>,
    pub mobile: Option<MobileNumber>,
}

/// The patient a message describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingPatient {
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub address: Change<Address>,
    pub contact: Change<Contact>,
    pub gp_ods_code: Change<Option<OdsCode>>,
}

impl IncomingPatient {
    /// The details to store, given what the matched record has (if any).
    pub fn details(&self, current: Option<&PatientDetails>) -> PatientDetails {
        let address = self.address.or_current(|| {
            current
                .map(|c| Address { lines: c.address_lines.clone(), postcode: c.postcode.clone() })
                .unwrap_or_default()
        });
        let contact = self.contact.or_current(|| {
            current.map(|c| Contact { email: c.email.clone(), mobile: c.mobile.clone() }).unwrap_or_default()
        });
        PatientDetails {
            nhs_number: self.nhs_number,
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            date_of_birth: self.date_of_birth,
            email: contact.email,
            mobile: contact.mobile,
            address_lines: address.lines,
            postcode: address.postcode,
            gp_ods_code: self.gp_ods_code.or_current(|| current.and_then(|c| c.gp_ods_code.clone())),
        }
    }
}

/// Collects problems while reading, so one answer lists them all.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, location: Location, code: ErrorCode, text: impl std::fmt::Display) {
        self.0.push(Problem::at(location, code, text));
    }

    /// The decoded text of a value, or `None` (and a problem) when its escapes are broken.
    fn text(
        &mut self,
        location: Location,
        value: Result<std::borrow::Cow<'_, str>, super::escape::EscapeError>,
    ) -> Option<String> {
        match value {
            Ok(text) => Some(text.trim().to_owned()),
            Err(err) => {
                self.add(location, ErrorCode::DataType, err);
                None
            }
        }
    }
}

/// Reads the patient of `message`. `today` bounds the date of birth.
pub fn read(message: &Message<'_>, today: Date) -> Result<IncomingPatient, Vec<Problem>> {
    let mut problems = Problems::default();
    let mut pids = message.segments("PID");
    let Some(pid) = pids.next() else {
        let at = Location::field("PID", 1);
        return Err(vec![Problem::at(at, ErrorCode::SegmentSequence, "an ADT message needs its PID segment")]);
    };
    if pids.next().is_some() {
        let at = Location::field("PID", 1);
        return Err(vec![Problem::at(at, ErrorCode::SegmentSequence, "send one PID segment per message")]);
    }
    let nhs_number = nhs_number(pid.field(3), &mut problems);
    let names = names(pid.field(5), &mut problems);
    let date_of_birth = date_of_birth(pid.field(7), today, &mut problems);
    let address = address(pid.field(11), &mut problems);
    let contact = contact(pid.field(13), &mut problems);
    let gp_ods_code = match message.segment("PD1") {
        Some(pd1) => gp_practice(pd1, &mut problems),
        None => Some(Change::Keep),
    };
    match (names, date_of_birth, address, contact, gp_ods_code) {
        (Some((given_name, family_name)), Some(date_of_birth), Some(address), Some(contact), Some(gp_ods_code))
            if problems.0.is_empty() =>
        {
            Ok(IncomingPatient { nhs_number, given_name, family_name, date_of_birth, address, contact, gp_ods_code })
        }
        _ => Err(problems.0),
    }
}

fn is_nhs_number(id: &Repetition<'_>) -> bool {
    let authority = id.component(4);
    let namespace = authority.subcomponent(1).raw().trim();
    let universal = authority.subcomponent(2).raw().trim();
    namespace.eq_ignore_ascii_case("NHS") || universal == NHS_NUMBER_OID || id.component(5).raw().trim() == "NH"
}

fn nhs_number(field: Field<'_>, problems: &mut Problems) -> Option<NhsNumber> {
    let at = Location::field("PID", 3);
    let mut found: Option<NhsNumber> = None;
    for id in field.repetitions().filter(is_nhs_number) {
        let Some(raw) = problems.text(at, id.component(1).text()) else { continue };
        if raw.is_empty() {
            continue;
        }
        match NhsNumber::parse(&raw) {
            Ok(number) if found.is_some_and(|f| f != number) => {
                problems.add(at, ErrorCode::DuplicateKey, "PID-3 holds two different NHS numbers");
            }
            Ok(number) => found = Some(number),
            Err(err) => problems.add(at, ErrorCode::DataType, nhs_number_problem(&err)),
        }
    }
    found
}

/// The NHS number's errors, in the words of someone fixing a feed.
fn nhs_number_problem(err: &NhsNumberError) -> &'static str {
    match err {
        NhsNumberError::Empty => "the NHS number is empty",
        NhsNumberError::WrongLength => "the NHS number must be 10 digits",
        NhsNumberError::NotDigits => "the NHS number must be digits only",
        NhsNumberError::BadCheckDigit => "the NHS number fails its check digit (modulus 11)",
    }
}

fn names(field: Field<'_>, problems: &mut Problems) -> Option<(String, String)> {
    let at = Location::field("PID", 5);
    let legal = field.repetitions().find(|n| n.component(7).raw().trim() == "L");
    let name = legal.or_else(|| field.repetitions().find(|n| !n.is_empty() && !n.is_null()));
    let Some(name) = name else {
        problems.add(at, ErrorCode::RequiredFieldMissing, "the patient's name is required");
        return None;
    };
    let family = problems.text(Location::component("PID", 5, 1), name.component(1).subcomponent(1).text());
    let given = problems.text(Location::component("PID", 5, 2), name.component(2).text());
    let middle = problems.text(Location::component("PID", 5, 3), name.component(3).text());
    let (family, given, middle) = (family?, given?, middle?);
    let checked = |component: usize, label: &str, raw: &str, problems: &mut Problems| {
        let at = Location::component("PID", 5, component);
        details::name("", label, raw)
            .map_err(|e| {
                let code = if raw.trim().is_empty() { ErrorCode::RequiredFieldMissing } else { ErrorCode::DataType };
                problems.add(at, code, e.message);
            })
            .ok()
    };
    let family = checked(1, "family name", &family, problems);
    let given = checked(2, "given name", &format!("{given} {middle}"), problems);
    Some((given?, family?))
}

fn date_of_birth(field: Field<'_>, today: Date, problems: &mut Problems) -> Option<DateOfBirth> {
    let at = Location::field("PID", 7);
    let raw = problems.text(at, field.first().component(1).text())?;
    let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
    let parsed = match digits.len() {
        0 if raw.is_empty() => Err(DateOfBirthError::Empty),
        4 | 6 => Err(DateOfBirthError::Incomplete),
        n if n >= 8 => {
            let iso = format!("{}-{}-{}", slice(&digits, 0, 4), slice(&digits, 4, 6), slice(&digits, 6, 8));
            DateOfBirth::parse(&iso, today)
        }
        _ => Err(DateOfBirthError::NotARealDate),
    };
    parsed
        .map_err(|err| {
            let code =
                if err == DateOfBirthError::Empty { ErrorCode::RequiredFieldMissing } else { ErrorCode::DataType };
            problems.add(at, code, err);
        })
        .ok()
}

/// Characters `from..to` of an all-ASCII string.
fn slice(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or_default()
}

fn address(field: Field<'_>, problems: &mut Problems) -> Option<Change<Address>> {
    if field.is_empty() {
        return Some(Change::Keep);
    }
    if field.is_null() {
        return Some(Change::Set(Address::default()));
    }
    let home = field.repetitions().find(|a| a.component(7).raw().trim() == "H");
    let address = home.unwrap_or_else(|| field.first());
    let part = |n: usize, problems: &mut Problems| {
        let component: Component<'_> = address.component(n);
        let value = if n == 1 { component.subcomponent(1) } else { component };
        problems.text(Location::component("PID", 11, n), value.text())
    };
    let (street, other, city, county) = (part(1, problems), part(2, problems), part(3, problems), part(4, problems));
    let postcode = part(5, problems);
    let lines = details::address_lines("", [street?.as_str(), other?.as_str(), city?.as_str(), county?.as_str()])
        .map_err(|e| problems.add(Location::field("PID", 11), ErrorCode::DataType, e.message))
        .ok();
    let postcode = match postcode?.as_str() {
        "" => Some(None),
        raw => Postcode::parse(raw)
            .map(Some)
            .map_err(|e| problems.add(Location::component("PID", 11, 5), ErrorCode::DataType, e))
            .ok(),
    };
    Some(Change::Set(Address { lines: lines?, postcode: postcode? }))
}

/// The number an XTN holds: XTN.12 (unformatted), else area code and local
/// number (XTN.6, XTN.7), else the old XTN.1.
fn phone_number(t: &Repetition<'_>) -> Result<String, super::escape::EscapeError> {
    let unformatted = t.component(12).text()?;
    if !unformatted.trim().is_empty() {
        return Ok(unformatted.into_owned());
    }
    let local = format!("{}{}", t.component(6).text()?, t.component(7).text()?);
    if !local.trim().is_empty() {
        return Ok(local);
    }
    Ok(t.component(1).text()?.into_owned())
}

fn contact(field: Field<'_>, problems: &mut Problems) -> Option<Change<Contact>> {
    if field.is_empty() {
        return Some(Change::Keep);
    }
    if field.is_null() {
        return Some(Change::Set(Contact::default()));
    }
    let at = Location::field("PID", 13);
    let is_email = |t: &Repetition<'_>| {
        t.component(2).raw().trim() == "NET" || t.component(3).raw().trim().eq_ignore_ascii_case("Internet")
    };
    let email = match field.repetitions().find(is_email) {
        None => Some(None),
        Some(t) => {
            let address = problems.text(at, t.component(4).text())?;
            let address = if address.is_empty() { problems.text(at, t.component(1).text())? } else { address };
            EmailAddress::parse(&address).map(Some).map_err(|e| problems.add(at, ErrorCode::DataType, e)).ok()
        }
    };
    let phones: Vec<Repetition<'_>> = field.repetitions().filter(|t| !is_email(t)).collect();
    let declared = phones.iter().find(|t| t.component(3).raw().trim() == "CP");
    let mobile = match declared {
        // A number the sender calls a mobile must be one.
        Some(t) => {
            let number = problems.text(at, phone_number(t).map(std::borrow::Cow::Owned))?;
            MobileNumber::parse(&number).map(Some).map_err(|e| problems.add(at, ErrorCode::DataType, e)).ok()
        }
        // Otherwise the first UK mobile among the numbers; landlines are not kept.
        None => Some(phones.iter().find_map(|t| phone_number(t).ok().and_then(|n| MobileNumber::parse(&n).ok()))),
    };
    Some(Change::Set(Contact { email: email?, mobile: mobile? }))
}

fn gp_practice(pd1: &Segment<'_>, problems: &mut Problems) -> Option<Change<Option<OdsCode>>> {
    let field = pd1.field(3);
    if field.is_empty() {
        return Some(Change::Keep);
    }
    if field.is_null() {
        return Some(Change::Set(None));
    }
    let practice = field.first();
    let (identifier, at) = if practice.component(10).is_empty() {
        (practice.component(3), Location::component("PD1", 3, 3))
    } else {
        (practice.component(10), Location::component("PD1", 3, 10))
    };
    let code = problems.text(at, identifier.text())?;
    if code.is_empty() {
        // A practice named without its code says nothing Portico keeps.
        return Some(Change::Keep);
    }
    OdsCode::parse(&code).map(|c| Change::Set(Some(c))).map_err(|e| problems.add(at, ErrorCode::DataType, e)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::hl7::charset::Charset;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 25);

    fn message(pid: &str, extra: &str) -> String {
        format!("MSH|^~\\&|PAS|RXX|||20261120||ADT^A04|1|P|2.5\rEVN|A04|20261120\rPID|{pid}\r{extra}")
    }

    fn read_pid(pid: &str, extra: &str) -> Result<IncomingPatient, Vec<Problem>> {
        let text = message(pid, extra);
        let m = Message::parse(&text, Charset::Utf8).unwrap();
        read(&m, TODAY)
    }

    fn problems(pid: &str) -> Vec<String> {
        read_pid(pid, "").unwrap_err().into_iter().map(|p| p.text).collect()
    }

    const FULL: &str = "1||RXX123^^^RXX^MR~9434765919^^^NHS^NH||Hughes^Alys^Mair^^Ms^^L~Jones^Alys^^^^^M||19800229|F|||\
        Flat 2^1 Park Row^Leeds^West Yorkshire^LS1 5AB^GBR^H~PO Box 1^^York^^YO1 1AA^^M||\
        ^PRN^PH^^^0113^4960000~^ORN^CP^^^^^^^^^07700 900123~^NET^Internet^alys@example.org";

    #[test]
    fn a_full_pid_becomes_record_details() {
        let p = read_pid(FULL, "PD1|||Park Surgery^^B86001").unwrap();
        let d = p.details(None);
        assert_eq!(d.nhs_number.unwrap().as_digits(), "9434765919");
        assert_eq!((d.given_name.as_str(), d.family_name.as_str()), ("Alys Mair", "Hughes"));
        assert_eq!(d.date_of_birth.iso(), "1980-02-29");
        assert_eq!(d.address_lines, ["Flat 2", "1 Park Row", "Leeds", "West Yorkshire"]);
        assert_eq!(d.postcode.unwrap().as_str(), "LS1 5AB");
        assert_eq!(d.email.unwrap().as_str(), "alys@example.org");
        assert_eq!(d.mobile.unwrap().e164(), "+447700900123");
        assert_eq!(d.gp_ods_code.unwrap().as_str(), "B86001");
    }

    #[test]
    fn the_nhs_number_is_found_by_authority_oid_or_type() {
        for id in ["9434765919^^^NHS", "9434765919^^^&2.16.840.1.113883.2.1.4.1&ISO", "9434765919^^^^NH"] {
            let p = read_pid(&format!("1||{id}||Hughes^Alys||19800229"), "").unwrap();
            assert_eq!(p.nhs_number.unwrap().as_digits(), "9434765919", "{id}");
        }
        let p = read_pid("1||RXX123^^^RXX^MR||Hughes^Alys||19800229", "").unwrap();
        assert_eq!(p.nhs_number, None, "a hospital number is not an NHS number");
    }

    #[test]
    fn optional_fields_left_empty_keep_and_null_clears() {
        let current = read_pid(FULL, "PD1|||^^B86001").unwrap().details(None);
        let kept = read_pid("1||9434765919^^^NHS^NH||Hughes^Alys^Mair||19800229", "").unwrap();
        assert_eq!(kept.details(Some(&current)), current);
        let cleared =
            read_pid("1||9434765919^^^NHS^NH||Hughes^Alys^Mair||19800229||||\"\"||\"\"", "PD1|||\"\"").unwrap();
        let d = cleared.details(Some(&current));
        assert!(d.address_lines.is_empty() && d.postcode.is_none() && d.email.is_none() && d.mobile.is_none());
        assert!(d.gp_ods_code.is_none());
    }

    #[test]
    fn escapes_and_non_ascii_names() {
        let p = read_pid("1||9434765919^^^NHS^NH||\\XC3\\\\X93\\ Briain^Se\\XC3A1\\n||19800229", "").unwrap();
        assert_eq!((p.given_name.as_str(), p.family_name.as_str()), ("Seán", "Ó Briain"));
        let p = read_pid("1||||Smith\\T\\Jones^Zoë||19800229", "").unwrap();
        assert_eq!(p.family_name, "Smith&Jones");
        assert_eq!(p.given_name, "Zoë");
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        assert_eq!(
            problems("1||9434765918^^^NHS^NH||Hughes^Alys||19800229"),
            ["PID-3: the NHS number fails its check digit (modulus 11)"]
        );
        assert_eq!(
            problems("1||9434765919^^^NHS~9991000003^^^NHS||Hughes^Alys||19800229"),
            ["PID-3: PID-3 holds two different NHS numbers"]
        );
        assert_eq!(problems("1||||Hughes^Alys||20260230"), ["PID-7: Date of birth must be a real date"]);
        assert_eq!(problems("1||||Hughes^Alys||20270101"), ["PID-7: Date of birth must be in the past"]);
        assert_eq!(problems("1||||Hughes^Alys||1980"), ["PID-7: Date of birth must include a day, month and year"]);
        assert_eq!(problems("1||||Hughes^Alys"), ["PID-7: Enter a date of birth"]);
        assert_eq!(problems("1||||^Alys||19800229"), ["PID-5.1: Enter the family name"]);
        assert_eq!(problems("1||||Hughes||19800229"), ["PID-5.2: Enter the given name"]);
        assert_eq!(problems("1||||||19800229"), ["PID-5: the patient's name is required"]);
        assert_eq!(problems("1||||O\\\\Brien^Alys||19800229"), ["PID-5.1: an escape sequence is empty"]);
        assert_eq!(
            problems("1||||Hughes^Alys||19800229||||^^^^LS1||^NET^Internet^not-an-email"),
            [
                "PID-11.5: Enter a real postcode, like LS1 4AP",
                "PID-13: Enter an email address in the correct format, like name@example.com"
            ]
        );
        assert_eq!(
            problems("1||||Hughes^Alys||19800229||||||^PRN^CP^^^0113^4960000"),
            ["PID-13: Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982"]
        );
        let text = message("1||||Hughes^Alys||19800229", "PID|2");
        let m = Message::parse(&text, Charset::Utf8).unwrap();
        assert_eq!(read(&m, TODAY).unwrap_err()[0].code, ErrorCode::SegmentSequence);
        let m = Message::parse("MSH|^~\\&|PAS", Charset::Utf8).unwrap();
        assert_eq!(read(&m, TODAY).unwrap_err()[0].text, "PID-1: an ADT message needs its PID segment");
        let bad_gp = read_pid("1||||Hughes^Alys||19800229", "PD1|||^^not a code").unwrap_err();
        assert_eq!(bad_gp[0].location, Some(Location::component("PD1", 3, 3)));
    }

    #[test]
    fn landlines_are_not_kept_as_mobiles() {
        let p =
            read_pid("1||||Hughes^Alys||19800229||||||^PRN^PH^^^0113^4960000~^PRN^PH^^^^^^^^^07700900123", "").unwrap();
        assert_eq!(p.details(None).mobile.unwrap().e164(), "+447700900123");
        let p = read_pid("1||||Hughes^Alys||19800229||||||^PRN^PH^^^0113^4960000", "").unwrap();
        assert_eq!(p.details(None).mobile, None);
    }
}
