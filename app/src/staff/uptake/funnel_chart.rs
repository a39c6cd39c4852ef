//! One channel's drop-off funnel as a bar chart: a bar per step, each drawn
//! to the scale of those invited, with the step's name, count and share
//! written above it and how many stopped before it written after it. SVG
//! text put into the page whole, as the uptake chart is (`super::chart`).
//!
//! The chart is an image with a name and a description; the table before it
//! has the same figures as text. Every bar carries its words and numbers, so
//! nothing is told by colour alone, and the one colour (NHS blue, 5.2:1 on
//! white) stands out from the page (WCAG 1.4.1, 1.4.11). The view box
//! scales to the page's width, 320 px included.

use portico_types::api::FunnelRow;

use super::channel_name;
use super::funnel::{step_name, stopped_words};
use crate::numbers::{grouped, percent_of_permille};

const WIDTH: u64 = 300;
/// Room kept after the longest bar for "1,234 stopped".
const NUMBER_ROOM: u64 = 92;
const BAR_HEIGHT: u64 = 12;
/// A step: its words, then its bar.
const ROW: u64 = 36;
const COLOUR: &str = "#005eb8";

/// The chart's SVG for one channel's row.
pub fn svg(row: &FunnelRow) -> String {
    let channel = channel_name(&row.channel);
    let id = format!("funnel-{}", row.channel.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let invited = row.steps.first().map_or(0, |s| s.records).max(1);
    let span = WIDTH - NUMBER_ROOM;
    let height = ROW * row.steps.len() as u64;
    let description: Vec<String> = row
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| {
            let stopped = if n == 0 { String::new() } else { format!(", {}", stopped_words(step)) };
            format!(
                "{}: {} ({}){stopped}.",
                step_name(&step.step),
                grouped(step.records),
                percent_of_permille(step.share_permille)
            )
        })
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"portico-chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{channel}: patients at each step of registering</title>\
         <desc id=\"{id}-desc\">{}</desc>",
        description.join(" ")
    );
    for (n, step) in row.steps.iter().enumerate() {
        let top = ROW * n as u64;
        let bar_y = top + 18;
        // A bar of something is at least a sliver, so it never reads as none.
        let length = if step.records == 0 { 0 } else { (step.records.min(invited) * span / invited).max(2) };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}: {} ({})</text>\
             <rect x=\"0\" y=\"{bar_y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" fill=\"{COLOUR}\"/>",
            top + 13,
            step_name(&step.step),
            grouped(step.records),
            percent_of_permille(step.share_permille),
        ));
        if n > 0 && step.dropped > 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\">{} stopped</text>",
                length + 4,
                bar_y + 10,
                grouped(step.dropped)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use portico_types::api::{FUNNEL_STEPS, FunnelStep};

    use super::*;

    fn row(reached: [u64; 6]) -> FunnelRow {
        let steps = FUNNEL_STEPS
            .iter()
            .enumerate()
            .map(|(n, step)| {
                let before = if n == 0 { reached[0] } else { reached[n - 1] };
                FunnelStep {
                    step: (*step).into(),
                    records: reached[n],
                    share_permille: reached[n] * 1000 / reached[0].max(1),
                    dropped: before - reached[n],
                    dropped_permille: 0,
                }
            })
            .collect();
        FunnelRow {
            team_id: "t".into(),
            team_name: "Team".into(),
            channel: "face_to_face".into(),
            steps,
            refusals: vec![],
        }
    }

    #[test]
    fn bars_are_drawn_to_the_scale_of_those_invited_and_carry_their_words() {
        let chart = svg(&row([1_000, 500, 500, 1, 0, 0]));
        assert!(chart.starts_with("<svg") && chart.ends_with("</svg>"));
        assert!(chart.contains("aria-labelledby=\"funnel-face-to-face-title funnel-face-to-face-desc\""));
        assert!(chart.contains("<title id=\"funnel-face-to-face-title\">Face to face: patients at each step"));
        assert!(chart.contains("Code entered: 500 (50.0%), 500 stopped (0.0%)."));
        let span = WIDTH - NUMBER_ROOM;
        assert!(chart.contains(&format!("width=\"{span}\"")), "everyone invited is full width");
        assert!(chart.contains(&format!("width=\"{}\"", span / 2)), "half as many, half as long");
        assert!(chart.contains("width=\"2\""), "a few is still a sliver");
        assert!(chart.contains(">Date of birth matched: 500 (50.0%)</text>"));
        assert!(chart.contains(">499 stopped</text>"));
        assert_eq!(chart.matches("<rect").count(), 6);
        assert_eq!(chart.matches(" stopped</text>").count(), 3, "only where someone stopped");
    }
}
