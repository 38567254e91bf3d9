//! Recommendations from how prompts run: failing, timing out, rarely rated,
//! slower or worse rated than in the previous window.

use super::*;

pub(super) fn completed(group: &GroupStats) -> u64 {
    group.statuses.values().sum()
}

pub(super) fn health(current: &Report, window: &str, out: &mut Vec<Recommendation>) {
    for group in &current.groups {
        let prompt = prompt_of(group);
        let done = completed(group);
        if done < MIN_RUNS {
            continue;
        }
        if let Some(rate) = group.success_rate.filter(|r| *r < FAILING_BELOW) {
            let ok_ci = crate::learn::success::wilson(group.ok, done, 1.96);
            out.push(rec(
                80.0 + (1.0 - rate) * 10.0,
                "failing",
                prompt,
                format!(
                    "{prompt} fails often: look at its failed runs (`promptrun report \
                     --prompt {prompt} --status error`)"
                ),
                format!(
                    "{} of {done} runs failed ({:.0}% success, 95% interval {:.0}% to {:.0}%), {window}",
                    done - group.ok,
                    rate * 100.0,
                    ok_ci.lo * 100.0,
                    ok_ci.hi * 100.0
                ),
            ));
        }
        let timeouts = group.statuses.get("timeout").copied().unwrap_or(0);
        let share = timeouts as f64 / done as f64;
        if share > TIMEOUTS_ABOVE {
            out.push(rec(
                78.0 + share * 10.0,
                "timeouts",
                prompt,
                format!(
                    "{prompt} times out often: raise its timeout (`defaults.timeout` or \
                     `--timeout`) or make it faster"
                ),
                format!(
                    "{timeouts} of {done} runs timed out ({:.0}%), {window}",
                    share * 100.0
                ),
            ));
        }
        let rated = group.ratings.count;
        match group.participation {
            Some(p) if p < TARGET_PARTICIPATION / 2.0 => out.push(rec(
                40.0 + (TARGET_PARTICIPATION - p) * 10.0,
                "rarely_rated",
                prompt,
                format!(
                    "{prompt} is rarely rated: ask more often (`feedback.sample_rate` closer \
                     to 1, `feedback.ask` \"always\") and catch up with `promptrun rate --pending`"
                ),
                format!(
                    "{rated} of {done} runs rated, {:.0}% of those asked (aim: {:.0}%), {window}",
                    p * 100.0,
                    TARGET_PARTICIPATION * 100.0
                ),
            )),
            None if rated == 0 => out.push(rec(
                38.0,
                "rarely_rated",
                prompt,
                format!(
                    "{prompt} is never rated: no run asked for a rating; set `feedback.ask` \
                     and `feedback.sample_rate`, or rate with `promptrun rate --pending`"
                ),
                format!("0 of {done} runs rated, none asked, {window}"),
            )),
            _ => {}
        }
    }
}

pub(super) fn changes(trends: &Trends, window: &str, out: &mut Vec<Recommendation>) {
    for change in &trends.changes {
        let prompt = &change.prompt;
        let before = change.previous.as_ref();
        for flag in &change.flags {
            match *flag {
                "max_p95_increase_pct" => out.push(rec(
                    70.0,
                    "slower",
                    prompt,
                    format!("{prompt} got slower: check what changed (model, prompt, input size)"),
                    format!(
                        "p95 {} → {} ms ({:+.0}%), {} → {} runs, {window} against the window before",
                        before.and_then(|p| p.p95_ms).map_or("?".into(), |v| format!("{v:.0}")),
                        change.current.p95_ms.map_or("?".into(), |v| format!("{v:.0}")),
                        change.p95_change_pct.unwrap_or(0.0),
                        before.map_or(0, |p| p.runs),
                        change.current.runs
                    ),
                )),
                "max_rating_drop" => out.push(rec(
                    75.0,
                    "rating_fell",
                    prompt,
                    format!(
                        "{prompt}'s rating fell: read its latest comments (`promptrun report \
                         feedback --prompt {prompt} --comments`)"
                    ),
                    format!(
                        "mean rating {} → {} ({}), {window} against the window before",
                        before.and_then(|p| p.mean_rating).map_or("?".into(), |v| format!("{v:.2}★")),
                        change.current.mean_rating.map_or("?".into(), |v| format!("{v:.2}★")),
                        change.rating_change.map_or("?".into(), |v| format!("{v:+.2}★"))
                    ),
                )),
                _ => {}
            }
        }
    }
}
