//! Age bands: the ages at which a parent's or guardian's access to a child's
//! record narrows, comes up for a professional's review, or ends, as the
//! child's organisation sets them (by default one band: it ends at 16).
//!
//! [`Bands`] can hold only a valid set: ages from 12 to 18, each older than
//! the one before, access only narrowing as the child grows older, and the
//! last band ending it. What applies to a link at a given moment is a pure
//! function of the bands, the child's date of birth and the moment, tested
//! here; the job (`coming_of_age`) and the link's making (`accept`) apply it.

use std::ops::RangeInclusive;

use portico_types::api::AgeBand;
use portico_types::problem::FieldError;
use time::{Date, Month, OffsetDateTime};

use super::AccessLevel;
use super::terms::day_of_age;

/// The ages a band (and the young person's invitation) may be set at.
pub const AGES: RangeInclusive<u8> = 12..=18;

/// Enough for a band at every age but one; more is a typing slip.
pub const MOST_BANDS: usize = 7;

/// What a band does to a parent's or guardian's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Becomes {
    /// Narrows to this level (never `everything`: nothing is wider).
    Level(AccessLevel),
    /// Stays as it is, marked for a professional's review.
    Review,
    /// Ends.
    End,
}

impl Becomes {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "review" => Some(Self::Review),
            "end" => Some(Self::End),
            other => AccessLevel::parse(other).filter(|l| *l != AccessLevel::Everything).map(Self::Level),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Level(level) => level.as_str(),
            Self::Review => "review",
            Self::End => "end",
        }
    }
}

/// How much a level shows: `AccessLevel::ALL` lists them widest first.
fn width(level: AccessLevel) -> usize {
    AccessLevel::ALL.len() - AccessLevel::ALL.iter().position(|l| *l == level).unwrap_or(0)
}

/// The narrower of two levels.
pub fn narrower(a: AccessLevel, b: AccessLevel) -> AccessLevel {
    if width(b) < width(a) { b } else { a }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub age: u8,
    pub becomes: Becomes,
}

impl Band {
    /// The start of the day the child born on `born` reaches this band.
    pub fn day(&self, born: Date) -> Option<OffsetDateTime> {
        day_of_age(born, self.age)
    }
}

/// An organisation's bands, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bands(Vec<Band>);

impl Default for Bands {
    /// Portico's behaviour before bands: access ends at 16.
    fn default() -> Self {
        Self(vec![Band { age: 16, becomes: Becomes::End }])
    }
}

impl Bands {
    /// The bands as sent, or every problem with them as a field error
    /// (`bands`, `bands[i].age`, `bands[i].access_becomes`).
    pub fn parse(raw: &[AgeBand]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if raw.is_empty() {
            errors.push(FieldError::new("bands", "Set at least one age: the age at which a parent's access ends"));
        }
        if raw.len() > MOST_BANDS {
            errors.push(FieldError::new("bands", format!("Set {MOST_BANDS} ages or fewer")));
        }
        let mut bands = Vec::with_capacity(raw.len());
        let mut previous_age: Option<u8> = None;
        let mut level = AccessLevel::Everything;
        let mut ended_at: Option<u8> = None;
        for (i, band) in raw.iter().enumerate() {
            let age_field = format!("bands[{i}].age");
            let change_field = format!("bands[{i}].access_becomes");
            let age_ok = if !AGES.contains(&band.age) {
                errors.push(FieldError::new(&age_field, "Enter an age from 12 to 18"));
                false
            } else if previous_age.is_some_and(|p| band.age <= p) {
                errors.push(FieldError::new(&age_field, "Enter an age older than the one before it"));
                false
            } else {
                true
            };
            if AGES.contains(&band.age) {
                previous_age = Some(previous_age.map_or(band.age, |p| p.max(band.age)));
            }
            let Some(becomes) = Becomes::parse(&band.access_becomes) else {
                errors.push(FieldError::new(&change_field, "Choose what happens to a parent's access at this age"));
                continue;
            };
            if let Some(ended) = ended_at {
                errors.push(FieldError::new(&change_field, format!("Access has already ended at {ended}")));
                continue;
            }
            match becomes {
                Becomes::Level(to) if width(to) >= width(level) => {
                    errors.push(FieldError::new(
                        &change_field,
                        "Access can only narrow as the child grows older: choose less than at the age before, a \
                         review or the end",
                    ));
                }
                Becomes::Level(to) => level = to,
                Becomes::End => ended_at = Some(band.age),
                Becomes::Review => {}
            }
            if age_ok {
                bands.push(Band { age: band.age, becomes });
            }
        }
        if let Some(last) = raw.len().checked_sub(1)
            && ended_at.is_none()
            && errors.iter().all(|e| e.field != format!("bands[{last}].access_becomes"))
        {
            errors.push(FieldError::new(
                format!("bands[{last}].access_becomes"),
                "The last age must end a parent's access (at 18 at the latest)",
            ));
        }
        if errors.is_empty() { Ok(Self(bands)) } else { Err(errors) }
    }

    /// The stored rows (age, `access_becomes`), checked as sent ones are:
    /// none, or anything unreadable, is the default.
    pub fn from_stored(rows: &[(i64, String)]) -> Self {
        let raw: Option<Vec<AgeBand>> = rows
            .iter()
            .map(|(age, becomes)| Some(AgeBand { age: u8::try_from(*age).ok()?, access_becomes: becomes.clone() }))
            .collect();
        raw.and_then(|raw| Self::parse(&raw).ok()).unwrap_or_default()
    }

    pub fn to_api(&self) -> Vec<AgeBand> {
        self.0.iter().map(|b| AgeBand { age: b.age, access_becomes: b.becomes.as_str().to_owned() }).collect()
    }

    pub fn as_slice(&self) -> &[Band] {
        &self.0
    }

    /// The last band: the one that ends access.
    pub fn end(&self) -> Band {
        self.0.last().copied().unwrap_or(Band { age: 16, becomes: Becomes::End })
    }

    /// The band at `age`, if there is one.
    pub fn at(&self, age: u8) -> Option<Band> {
        self.0.iter().copied().find(|b| b.age == age)
    }

    /// The first band older than `applied` (any, for none): where a link
    /// that has had the bands up to `applied` goes next. Past every band
    /// (the bands changed under it), the end.
    pub fn after(&self, applied: Option<u8>) -> Band {
        self.0.iter().copied().find(|b| applied.is_none_or(|a| b.age > a)).unwrap_or_else(|| self.end())
    }

    /// Where a link stands at `now` from the band at `from_age` on: the
    /// bands whose day has come, and the first still ahead.
    pub fn due(&self, from_age: u8, born: Date, now: OffsetDateTime) -> Due {
        let mut due = Vec::new();
        let mut next = None;
        for band in self.0.iter().copied().filter(|b| b.age >= from_age) {
            match band.day(born) {
                Some(day) if day <= now => due.push(band),
                Some(day) => {
                    next = Some((band, day));
                    break;
                }
                None => {}
            }
        }
        Due { due, next }
    }
}

/// Where a new link starts among the bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The narrowest level the bands already past allow, if any narrowed.
    pub cap: Option<AccessLevel>,
    /// The oldest band already past.
    pub through: Option<u8>,
    pub next: Band,
    pub next_at: OffsetDateTime,
}

impl Bands {
    /// Where a link made at `now` for a child born on `born` starts; `None`
    /// once the band that ends access has come (the child decides now).
    pub fn standing(&self, born: Date, now: OffsetDateTime) -> Option<Standing> {
        let first = self.0.first().map_or(0, |b| b.age);
        let Due { due, next } = self.due(first, born, now);
        if due.iter().any(|b| b.becomes == Becomes::End) {
            return None;
        }
        let (next, next_at) = next?;
        let cap = due.iter().fold(None, |cap: Option<AccessLevel>, b| match b.becomes {
            Becomes::Level(to) => Some(cap.map_or(to, |c| narrower(c, to))),
            _ => cap,
        });
        Some(Standing { cap, through: due.iter().map(|b| b.age).max(), next, next_at })
    }
}

/// [`Bands::due`]'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub due: Vec<Band>,
    pub next: Option<(Band, OffsetDateTime)>,
}

/// What the due bands do to a link at `level`, together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing has come: the link only waits for the next band.
    Nothing,
    Ends,
    /// The link continues at `level` (narrowed, or as it was), `review`
    /// marked if a review band came; `through` the oldest band applied.
    Continues {
        level: AccessLevel,
        review: bool,
        through: u8,
    },
}

impl Due {
    /// The effect on a link at `level`. A review band whose day came before
    /// the link began (`starts`) asks for nothing: a professional made the
    /// link knowing the child's age.
    pub fn effect(&self, level: AccessLevel, born: Date, starts: OffsetDateTime) -> Effect {
        let Some(through) = self.due.iter().map(|b| b.age).max() else { return Effect::Nothing };
        if self.due.iter().any(|b| b.becomes == Becomes::End) {
            return Effect::Ends;
        }
        let level = self.due.iter().fold(level, |level, b| match b.becomes {
            Becomes::Level(to) => narrower(level, to),
            _ => level,
        });
        let review =
            self.due.iter().any(|b| b.becomes == Becomes::Review && b.day(born).is_some_and(|day| day > starts));
        Effect::Continues { level, review, through }
    }
}

/// `date` plus `months` calendar months, on the same day or the month's
/// last: three months before a band is the day three months after is it.
pub fn add_months(date: Date, months: u8) -> Date {
    let index = i32::from(date.month() as u8) - 1 + i32::from(months);
    let year = date.year() + index / 12;
    let month = Month::try_from(u8::try_from(index % 12 + 1).unwrap_or(1)).unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// The latest date of birth of someone who has reached `age` by `today`
/// (a 29 February birthday comes on 1 March in other years, as [`day_of_age`]).
pub fn born_by(today: Date, age: u8) -> Date {
    let year = today.year() - i32::from(age);
    today.replace_year(year).unwrap_or_else(|_| Date::from_calendar_date(year, Month::February, 28).unwrap_or(today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn raw(bands: &[(u8, &str)]) -> Vec<AgeBand> {
        bands.iter().map(|(age, b)| AgeBand { age: *age, access_becomes: (*b).to_owned() }).collect()
    }

    fn fields(bands: &[(u8, &str)]) -> Vec<String> {
        Bands::parse(&raw(bands)).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn bands_narrow_then_end_by_eighteen() {
        let bands = Bands::parse(&raw(&[(13, "not_private"), (16, "review"), (18, "end")])).unwrap();
        assert_eq!(bands.as_slice().len(), 3);
        assert_eq!(bands.end(), Band { age: 18, becomes: Becomes::End });
        assert_eq!(Bands::parse(&raw(&[(16, "end")])).unwrap(), Bands::default());
        assert_eq!(bands.to_api(), raw(&[(13, "not_private"), (16, "review"), (18, "end")]));
    }

    #[test]
    fn each_bad_band_is_a_field_error() {
        assert_eq!(fields(&[]), ["bands"]);
        assert_eq!(fields(&[(11, "end")]), ["bands[0].age"]);
        assert_eq!(fields(&[(19, "end")]), ["bands[0].age"]);
        assert_eq!(fields(&[(14, "review"), (13, "end")]), ["bands[1].age"]);
        assert_eq!(fields(&[(14, "review"), (14, "end")]), ["bands[1].age"]);
        assert_eq!(fields(&[(13, "everything"), (16, "end")]), ["bands[0].access_becomes"]);
        assert_eq!(fields(&[(13, "sometimes"), (16, "end")]), ["bands[0].access_becomes"]);
        // Narrowing twice to the same level widens nothing but narrows nothing either.
        assert_eq!(fields(&[(13, "not_private"), (15, "not_private"), (16, "end")]), ["bands[1].access_becomes"]);
        assert_eq!(fields(&[(13, "end"), (16, "review")]), ["bands[1].access_becomes"]);
        assert_eq!(fields(&[(13, "not_private"), (16, "review")]), ["bands[1].access_becomes"]);
        assert_eq!(
            fields(&[(12, "end"); 8]),
            [
                "bands",
                "bands[1].age",
                "bands[1].access_becomes",
                "bands[2].age",
                "bands[2].access_becomes",
                "bands[3].age",
                "bands[3].access_becomes",
                "bands[4].age",
                "bands[4].access_becomes",
                "bands[5].age",
                "bands[5].access_becomes",
                "bands[6].age",
                "bands[6].access_becomes",
                "bands[7].age",
                "bands[7].access_becomes"
            ]
        );
    }

    #[test]
    fn stored_bands_that_do_not_read_are_the_default() {
        assert_eq!(Bands::from_stored(&[]), Bands::default());
        assert_eq!(Bands::from_stored(&[(300, "end".into())]), Bands::default());
        let stored = Bands::from_stored(&[(13, "not_private".into()), (18, "end".into())]);
        assert_eq!(stored.as_slice()[0], Band { age: 13, becomes: Becomes::Level(AccessLevel::NotPrivate) });
    }

    #[test]
    fn what_applies_at_each_age() {
        let bands = Bands::parse(&raw(&[(13, "not_private"), (16, "review"), (18, "end")])).unwrap();
        let born = date!(2012 - 06 - 15);
        let made = datetime!(2020-01-01 00:00 UTC);
        // Twelve: nothing yet; thirteen comes next.
        let due = bands.due(13, born, datetime!(2025-06-14 23:59 UTC));
        assert_eq!(due.effect(AccessLevel::Everything, born, made), Effect::Nothing);
        assert_eq!(due.next.map(|(b, day)| (b.age, day)), Some((13, datetime!(2025-06-15 00:00 UTC))));
        // Thirteen: narrowed, sixteen next.
        let due = bands.due(13, born, datetime!(2025-06-15 00:00 UTC));
        let narrowed = Effect::Continues { level: AccessLevel::NotPrivate, review: false, through: 13 };
        assert_eq!(due.effect(AccessLevel::Everything, born, made), narrowed);
        assert_eq!(due.next.map(|(b, _)| b.age), Some(16));
        // Sixteen: reviewed, still narrowed.
        let due = bands.due(16, born, datetime!(2028-06-15 00:00 UTC));
        let reviewed = Effect::Continues { level: AccessLevel::NotPrivate, review: true, through: 16 };
        assert_eq!(due.effect(AccessLevel::NotPrivate, born, made), reviewed);
        // Years missed at once (a link extended, or a job that did not run): all of them.
        let due = bands.due(13, born, datetime!(2029-01-01 00:00 UTC));
        assert_eq!(due.effect(AccessLevel::Everything, born, made), reviewed);
        assert_eq!(
            bands.due(13, born, datetime!(2030-06-15 00:00 UTC)).effect(AccessLevel::Everything, born, made),
            Effect::Ends
        );
        // A review band that came before the link began asks for none.
        let late = datetime!(2028-07-01 00:00 UTC);
        let due = bands.due(13, born, datetime!(2028-07-02 00:00 UTC));
        assert_eq!(
            due.effect(AccessLevel::Everything, born, late),
            Effect::Continues { level: AccessLevel::NotPrivate, review: false, through: 16 }
        );
        // Where a link goes after a band, or after bands that moved under it.
        assert_eq!(bands.after(None).age, 13);
        assert_eq!(bands.after(Some(13)).age, 16);
        assert_eq!(Bands::default().after(Some(17)).age, 16, "past every band: the end");
        // A link made at fourteen starts narrowed, with sixteen next; at eighteen there is none.
        let standing = bands.standing(born, datetime!(2026-09-01 00:00 UTC)).unwrap();
        assert_eq!((standing.cap, standing.through, standing.next.age), (Some(AccessLevel::NotPrivate), Some(13), 16));
        assert_eq!(bands.standing(born, datetime!(2020-09-01 00:00 UTC)).unwrap().cap, None);
        assert_eq!(bands.standing(born, datetime!(2030-06-15 00:00 UTC)), None);
    }

    #[test]
    fn months_and_birthdays_at_the_ends_of_months() {
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 10 - 15), 3), date!(2027 - 01 - 15));
        assert_eq!(add_months(date!(2027 - 12 - 31), 3), date!(2028 - 03 - 31));
        assert_eq!(born_by(date!(2026 - 11 - 25), 16), date!(2010 - 11 - 25));
        // 29 February 2008 is 17 on 1 March 2025, not on 28 February.
        assert_eq!(born_by(date!(2025 - 02 - 28), 17), date!(2008 - 02 - 28));
        assert_eq!(born_by(date!(2028 - 02 - 29), 17), date!(2011 - 02 - 28));
        assert_eq!(narrower(AccessLevel::Everything, AccessLevel::NotPrivate), AccessLevel::NotPrivate);
        assert_eq!(narrower(AccessLevel::NotPrivate, AccessLevel::Everything), AccessLevel::NotPrivate);
    }
}
