//! The uptake report as a bar chart: for each channel, bars for invited,
//! opened and registered, drawn to one scale. Written as SVG text and put
//! into the page whole, so the browser's own parser gives every element its
//! SVG namespace (`<title>` included).
//!
//! The chart is an image with a name and a description (`role="img"`, its
//! `<title>` and `<desc>`); the table above it is its full text. Each bar
//! carries its word and number, so colour is never the only way to tell
//! the bars apart, and each colour stands out 3:1 or more from the white
//! behind it (WCAG 1.4.1, 1.4.11).

use leptos::prelude::*;
use portico_types::api::UptakeRow;

use super::channel_name;
use crate::numbers::grouped;

/// The chart's width in its own units; it scales to the width of the page.
const WIDTH: u64 = 300;
/// Where bars start, after their word.
const BAR_X: u64 = 82;
/// Room kept after the longest bar for its number.
const NUMBER_ROOM: u64 = 66;
const BAR_HEIGHT: u64 = 16;
const ROW: u64 = 22;
const HEADING: u64 = 20;
const GAP: u64 = 14;

/// The three measures, with their colours: NHS dark blue, NHS blue, NHS
/// dark green (10.6:1, 5.2:1 and 5.5:1 on white).
const MEASURES: [(&str, &str); 3] = [("Invited", "#003087"), ("Opened", "#005eb8"), ("Registered", "#007f3b")];

/// The chart's SVG.
pub fn svg(rows: &[UptakeRow]) -> String {
    let most = rows.iter().map(|r| r.invited.max(r.opened).max(r.registered)).max().unwrap_or(0).max(1);
    let span = WIDTH - BAR_X - NUMBER_ROOM;
    let group = HEADING + ROW * 3 + GAP;
    let height = group * rows.len() as u64;
    let description: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} invited, {} opened, {} registered.",
                channel_name(&r.channel),
                grouped(r.invited),
                grouped(r.opened),
                grouped(r.registered)
            )
        })
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"portico-chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"uptake-chart-title uptake-chart-desc\">\
         <title id=\"uptake-chart-title\">Patients invited, opened and registered, by channel</title>\
         <desc id=\"uptake-chart-desc\">{}</desc>",
        description.join(" ")
    );
    for (n, row) in rows.iter().enumerate() {
        let top = group * n as u64;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"portico-chart__channel\">{}</text>",
            top + 15,
            channel_name(&row.channel)
        ));
        for (m, ((word, colour), value)) in MEASURES.iter().zip([row.invited, row.opened, row.registered]).enumerate() {
            let y = top + HEADING + ROW * m as u64;
            // A bar of something is at least a sliver, so it never reads as none.
            let length = if value == 0 { 0 } else { (value * span / most).max(2) };
            let text_y = y + 12;
            svg.push_str(&format!(
                "<text x=\"0\" y=\"{text_y}\">{word}</text>\
                 <rect x=\"{BAR_X}\" y=\"{y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" fill=\"{colour}\"/>\
                 <text x=\"{}\" y=\"{text_y}\">{}</text>",
                BAR_X + length + 4,
                grouped(value)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[component]
pub fn UptakeChart(rows: Vec<UptakeRow>) -> impl IntoView {
    view! {
        <h2>"Chart"</h2>
        <p class="nhsuk-body-s">"The same figures as the table, drawn to one scale."</p>
        <div class="portico-chart-frame" inner_html=svg(&rows)></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(channel: &str, invited: u64, opened: u64, registered: u64) -> UptakeRow {
        UptakeRow {
            team_id: "t".into(),
            team_name: "Team".into(),
            channel: channel.into(),
            invited,
            opened,
            registered,
            conversion_permille: 0,
            median_hours_to_register: None,
        }
    }

    #[test]
    fn bars_share_one_scale_and_carry_their_numbers() {
        let chart = svg(&[row("letter", 1_000, 500, 0), row("sms", 10, 10, 10)]);
        assert!(chart.starts_with("<svg") && chart.ends_with("</svg>"));
        assert!(chart.contains("role=\"img\""));
        assert!(chart.contains("<desc id=\"uptake-chart-desc\">Letter: 1,000 invited, 500 opened, 0 registered."));
        let span = WIDTH - BAR_X - NUMBER_ROOM;
        assert!(chart.contains(&format!("width=\"{span}\"")), "the largest bar is full width");
        assert!(chart.contains(&format!("width=\"{}\"", span / 2)), "half as many, half as long");
        assert!(chart.contains("width=\"2\""), "a few is still a sliver");
        assert!(chart.contains(">1,000</text>"));
        assert_eq!(chart.matches("<rect").count(), 6);
    }
}
