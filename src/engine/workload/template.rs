//! Record templates in the Amazon Kinesis Data Generator's syntax: text with `{{module.method(args)}}`.
//!
//! Compatibility with the KDG (awslabs/amazon-kinesis-data-generator, `producer.js` and `help.html`):
//! the template is cleaned the way the KDG cleans it (trimmed, line breaks removed, the old
//! `{{current.timestamp}}` read as `{{date.now}}`), every `{{…}}` is replaced by a faker-style value, and
//! each record body ends with a line feed, as the KDG appends one. Arguments may span lines, as in the
//! KDG's examples. A template is parsed once, when the scenario loads, so an unknown function or a bad
//! argument is reported then, with its position; rendering never fails.

use super::faker::Fake;
use crate::engine::rng::SimRng;
use std::fmt;

/// A parsed record template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Text(String),
    Fake(Fake),
}

/// Why a template could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Character offset in the cleaned template (line breaks removed) where the problem starts.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.at)
    }
}

impl Template {
    /// Parses a KDG record template.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let cleaned = text.trim().replace('\n', "").replace("{{current.timestamp}}", "{{date.now}}");
        if cleaned.is_empty() {
            return Err(TemplateError { at: 0, message: "the template is empty".to_string() });
        }
        let mut segments = Vec::new();
        let mut rest = cleaned.as_str();
        let offset = |rest: &str| cleaned[..cleaned.len() - rest.len()].chars().count();
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                segments.push(Segment::Text(rest[..open].to_string()));
            }
            let at = offset(&rest[open..]);
            let body = &rest[open + 2..];
            let Some(close) = body.find("}}") else {
                return Err(TemplateError { at, message: "\"{{\" is never closed by \"}}\"".to_string() });
            };
            let fake = call(&body[..close]).map_err(|message| TemplateError { at, message })?;
            segments.push(Segment::Fake(fake));
            rest = &body[close + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_string()));
        }
        Ok(Template { segments })
    }

    /// One record body: every call drawn afresh from `rng`, dates from `wall_ms` (epoch ms); ends with "\n".
    pub fn render(&self, rng: &mut SimRng, wall_ms: i64) -> String {
        let mut out = String::with_capacity(64);
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Fake(fake) => fake.render(rng, wall_ms, &mut out),
            }
        }
        out.push('\n');
        out
    }
}

/// Resolves the inside of one `{{…}}`: `module.method` or `module.method(args)`.
fn call(token: &str) -> Result<Fake, String> {
    let token = token.trim();
    let (path, args) = match token.find('(') {
        None => (token, None),
        Some(open) => {
            let Some(close) = token.rfind(')').filter(|c| *c > open) else {
                return Err(format!("\"{token}\": \"(\" is never closed by \")\""));
            };
            if !token[close + 1..].trim().is_empty() {
                return Err(format!("\"{token}\": unexpected text after \")\""));
            }
            (token[..open].trim(), Some(&token[open + 1..close]))
        }
    };
    if path.is_empty() {
        return Err("\"{{}}\" names no function".to_string());
    }
    Fake::resolve(path, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    const NOV_14_2023: i64 = 1_700_000_000_000; // 22:13:20 UTC

    fn render(text: &str, seed: u64) -> String {
        Template::parse(text).expect("valid template").render(&mut SimRng::new(Seed(seed)), NOV_14_2023)
    }

    #[test]
    fn the_kdg_help_sensor_template_renders_valid_json() {
        let template = r#"{
    "sensorId": {{random.number(50)}},
    "currentTemperature": {{random.number(
        {
            "min":10,
            "max":150
        }
    )}},
    "status": "{{random.arrayElement(
        ["OK","FAIL","WARN"]
    )}}"
}"#;
        for seed in 0..200 {
            let body = render(template, seed);
            assert!(body.ends_with("}\n") && !body[..body.len() - 1].contains('\n'), "{body:?}");
            let v: serde_json::Value = serde_json::from_str(&body).expect("valid JSON");
            let (id, temp) = (v["sensorId"].as_i64().expect("int"), v["currentTemperature"].as_i64().expect("int"));
            assert!((0..=50).contains(&id) && (10..=150).contains(&temp), "{v}");
            assert!(["OK", "FAIL", "WARN"].contains(&v["status"].as_str().expect("string")));
        }
    }

    #[test]
    fn the_csv_example_has_four_fields() {
        let body = render("{{name.firstName}},{{name.lastName}},{{random.number(70)}},{{internet.ip}}", 3);
        let fields: Vec<&str> = body.trim_end().split(',').collect();
        assert_eq!(fields.len(), 4, "{body}");
        assert!(fields[2].parse::<u32>().is_ok_and(|age| age <= 70));
        assert_eq!(fields[3].split('.').filter(|o| o.parse::<u8>().is_ok()).count(), 4);
    }

    #[test]
    fn numbers_cover_their_inclusive_range_and_precision() {
        let t = Template::parse("{{random.number(3)}}").expect("valid");
        let mut rng = SimRng::new(Seed(1));
        let mut seen = [false; 4];
        for _ in 0..200 {
            seen[t.render(&mut rng, 0).trim().parse::<usize>().expect("int")] = true;
        }
        assert_eq!(seen, [true; 4], "0..=3 all appear");
        let p = render(r#"{{random.number({"min":1,"max":2,"precision":0.01})}}"#, 9);
        let v: f64 = p.trim().parse().expect("number");
        assert!((1.0..=2.0).contains(&v) && p.trim().len() <= 4, "{p}");
    }

    #[test]
    fn weighted_elements_follow_their_weights() {
        let t = Template::parse(
            r#"{{random.weightedArrayElement({"weights":[0.3,0.2,0.5],"data":["cat","fish","dog"]})}}"#,
        )
        .expect("valid");
        let mut rng = SimRng::new(Seed(4));
        let dogs = (0..10_000).filter(|_| t.render(&mut rng, 0) == "dog\n").count();
        assert!((4_800..5_200).contains(&dogs), "{dogs}");
    }

    #[test]
    fn dates_use_the_simulated_clock_and_moment_formats() {
        assert_eq!(render("{{date.now}}", 1), "2023-11-14T22:13:20+00:00\n");
        assert_eq!(render("{{date.utc}}", 1), "2023-11-14T22:13:20Z\n");
        assert_eq!(render(r#"{{date.now("DD/MMM/YYYY:HH:mm:ss Z")}}"#, 1), "14/Nov/2023:22:13:20 +00:00\n");
        assert_eq!(render("{{date.simTime(YYYY)}}", 1), "2023\n", "unquoted arguments are plain strings");
        assert_eq!(render("at {{current.timestamp}}", 1), "at 2023-11-14T22:13:20+00:00\n");
    }

    #[test]
    fn faker_values_have_their_shapes() {
        let uuid = render("{{random.uuid}}", 5);
        let u = uuid.trim();
        assert_eq!((u.len(), &u[14..15], u.split('-').count()), (36, "4", 5), "{u}");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        let lat: f64 = render("{{address.latitude}}", 2).trim().parse().expect("number");
        assert!((-90.0..=90.0).contains(&lat));
        assert!(render("{{internet.email}}", 3).contains('@'));
        assert_eq!(render("{{finance.account(12)}}", 3).trim().len(), 12);
        let price = render("{{commerce.price}}", 3);
        assert_eq!(price.trim().split('.').nth(1).map(str::len), Some(2), "{price}");
        let sentence = render("{{lorem.sentence(4)}}", 3);
        assert!(sentence.trim().ends_with('.') && sentence.split(' ').count() == 4, "{sentence}");
        assert_eq!(render("plain text", 1), "plain text\n");
    }

    #[test]
    fn the_same_seed_renders_the_same_record() {
        let t = "{{name.findName}} {{address.city}} {{internet.ipv6}} {{random.alphaNumeric(8)}} {{phone.phoneNumber}}";
        assert_eq!(render(t, 77), render(t, 77));
        assert_ne!(render(t, 77), render(t, 78));
    }

    #[test]
    fn bad_templates_say_what_and_where() {
        let err = |t: &str| Template::parse(t).expect_err("invalid").to_string();
        assert!(err("id {{random.nope}}").starts_with("Invalid method: random.nope"), "{}", err("id {{random.nope}}"));
        assert!(err("id {{random.nope}}").ends_with("(at character 3)"));
        assert!(err("{{foo.bar}}").starts_with("Invalid module: foo"));
        assert!(err("x {{random.number(5)").contains("never closed"));
        assert!(err("{{random.number(5}}").contains("\"(\" is never closed"));
        assert!(err("{{random.arrayElement(5)}}").contains("takes a JSON array"));
        assert!(err(r#"{{random.weightedArrayElement({"weights":[1],"data":["a","b"]})}}"#).contains("1 entries"));
        assert!(err(r#"{{random.number({"min":5,"max":1})}}"#).contains("min ≤ max"));
        assert!(err("{{date.now(5)}}").contains("format string"));
        assert!(err("   \n ").contains("empty"));
        assert!(err("{{ }}").contains("names no function"));
    }
}
