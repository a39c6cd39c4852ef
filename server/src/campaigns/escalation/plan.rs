//! A reminder plan, parsed once from what staff asked for: steps in time
//! order, each on a channel, at most [`MAX_STEPS`], and a cap on the
//! messages one patient gets. A plan that would loop back in time, repeat a
//! step or wait zero days cannot be built.

use portico_types::api::PlanRequest;
use portico_types::problem::FieldError;

use crate::campaigns::cohort::CampaignChannel;

/// At most this many reminder steps after the first send.
pub const MAX_STEPS: usize = 5;
/// The latest a step may come, in days after the campaign started.
pub const MAX_DAYS: u32 = 365;
/// The most messages a cap may allow one patient.
pub const MAX_MESSAGES: u32 = 10;

/// A step: a channel, so many days after the campaign started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub channel: CampaignChannel,
    pub after_days: u32,
}

/// A valid plan: 1 to [`MAX_STEPS`] steps whose days strictly increase, none
/// the same as another, and a cap of at least two messages (the first send
/// and one reminder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    steps: Vec<Step>,
    max_messages: u32,
}

impl Plan {
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn max_messages(&self) -> u32 {
        self.max_messages
    }
}

/// The field a step's problem is shown against (the page's input ids).
pub fn step_field(index: usize, what: &str) -> String {
    format!("plan_step_{}_{what}", index + 1)
}

/// Parses a plan; every problem is a field error, all at once.
pub fn parse(request: &PlanRequest) -> Result<Plan, Vec<FieldError>> {
    let mut problems = Vec::new();
    if request.steps.is_empty() {
        problems.push(FieldError::new("plan", "Add at least one reminder, or start the campaign without reminders"));
    }
    if request.steps.len() > MAX_STEPS {
        problems.push(FieldError::new("plan", format!("A plan has at most {MAX_STEPS} reminders")));
    }
    let mut steps: Vec<Step> = Vec::with_capacity(request.steps.len());
    // The last step's days that parsed, to say what the next must exceed.
    let mut previous: Option<(usize, u32)> = None;
    for (index, asked) in request.steps.iter().enumerate().take(MAX_STEPS) {
        let number = index + 1;
        let channel = CampaignChannel::parse(&asked.channel);
        if channel.is_none() {
            problems.push(FieldError::new(
                step_field(index, "channel"),
                format!("Select how reminder {number} is sent: letter, text message or email"),
            ));
        }
        let days = match u32::try_from(asked.after_days) {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Some(days),
            _ if asked.after_days <= 0 => {
                problems.push(FieldError::new(
                    step_field(index, "after_days"),
                    format!("Enter how many days after the campaign starts reminder {number} goes: 1 or more"),
                ));
                None
            }
            _ => {
                problems.push(FieldError::new(
                    step_field(index, "after_days"),
                    format!("Reminder {number} must go within {MAX_DAYS} days of the campaign starting"),
                ));
                None
            }
        };
        let (Some(channel), Some(days)) = (channel, days) else { continue };
        let step = Step { channel, after_days: days };
        if let Some(same) = steps.iter().position(|s| *s == step) {
            problems.push(FieldError::new(
                step_field(index, "after_days"),
                format!("Reminder {number} repeats reminder {}: change its channel or its days", same + 1),
            ));
        } else if let Some((before, before_days)) = previous.filter(|(_, d)| days <= *d) {
            problems.push(FieldError::new(
                step_field(index, "after_days"),
                format!(
                    "Reminder {number} must come after reminder {}: enter more than {before_days} days",
                    before + 1
                ),
            ));
        }
        previous = Some((index, days));
        steps.push(step);
    }
    let most = u32::try_from(request.steps.len().min(MAX_STEPS) + 1).unwrap_or(u32::MAX);
    let max_messages = match request.max_messages {
        None => Some(most),
        Some(n) => match u32::try_from(n) {
            Ok(n) if (2..=MAX_MESSAGES).contains(&n) => Some(n),
            _ => {
                problems.push(FieldError::new(
                    "max_messages",
                    format!(
                        "Enter the most messages a patient gets, from 2 (the first and one reminder) to {MAX_MESSAGES}"
                    ),
                ));
                None
            }
        },
    };
    match max_messages {
        Some(max_messages) if problems.is_empty() => Ok(Plan { steps, max_messages }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use portico_types::api::PlanStepRequest;

    use super::*;

    fn plan(steps: &[(&str, i64)], max_messages: Option<i64>) -> PlanRequest {
        PlanRequest {
            steps: steps.iter().map(|(c, d)| PlanStepRequest { channel: (*c).into(), after_days: *d }).collect(),
            max_messages,
        }
    }

    fn fields(request: &PlanRequest) -> Vec<(String, String)> {
        parse(request).unwrap_err().into_iter().map(|p| (p.field, p.message)).collect()
    }

    #[test]
    fn letter_then_text_then_email_is_a_plan() {
        let parsed = parse(&plan(&[("sms", 14), ("email", 28)], None)).unwrap();
        assert_eq!(parsed.steps().len(), 2);
        assert_eq!(parsed.steps()[1], Step { channel: CampaignChannel::Email, after_days: 28 });
        assert_eq!(parsed.max_messages(), 3, "by default one message per step and the first");
        assert_eq!(parse(&plan(&[("sms", 14), ("sms", 28)], Some(2))).unwrap().max_messages(), 2);
    }

    #[test]
    fn zero_and_negative_intervals_are_refused() {
        let problems = fields(&plan(&[("sms", 0), ("email", -3)], None));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].0, "plan_step_1_after_days");
        assert!(problems[0].1.contains("1 or more"), "{}", problems[0].1);
        assert_eq!(problems[1].0, "plan_step_2_after_days");
        assert!(fields(&plan(&[("sms", 366)], None))[0].1.contains("within 365 days"));
    }

    #[test]
    fn a_step_before_the_one_it_follows_is_a_loop_back_in_time() {
        let problems = fields(&plan(&[("sms", 28), ("email", 14)], None));
        assert_eq!(
            problems,
            [(
                "plan_step_2_after_days".into(),
                "Reminder 2 must come after reminder 1: enter more than 28 days".into()
            )]
        );
        let same_day = fields(&plan(&[("sms", 14), ("email", 14)], None));
        assert_eq!(same_day[0].0, "plan_step_2_after_days", "the same day is not after");
    }

    #[test]
    fn a_repeated_step_is_named_as_such() {
        let problems = fields(&plan(&[("sms", 14), ("email", 21), ("sms", 14)], None));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "plan_step_3_after_days");
        assert!(problems[0].1.contains("repeats reminder 1"), "{}", problems[0].1);
    }

    #[test]
    fn too_many_steps_no_steps_bad_channels_and_caps_are_refused() {
        let six: Vec<(&str, i64)> = (1..=6).map(|n| ("sms", n * 7)).collect();
        assert!(fields(&plan(&six, None)).iter().any(|(f, m)| f == "plan" && m.contains("at most 5")));
        assert_eq!(fields(&plan(&[], None))[0].0, "plan");
        assert_eq!(fields(&plan(&[("fax", 14)], None))[0].0, "plan_step_1_channel");
        for cap in [0, 1, 11, -1] {
            assert_eq!(fields(&plan(&[("sms", 14)], Some(cap)))[0].0, "max_messages", "cap {cap}");
        }
        let all = fields(&plan(&[("fax", 0)], Some(1)));
        let names: Vec<&str> = all.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["plan_step_1_channel", "plan_step_1_after_days", "max_messages"]);
    }
}
