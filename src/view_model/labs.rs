//! The labs of the app: their names, addresses (URL hash) and what each says about itself.

/// One lab, reached from the navigation bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lab {
    /// Kinesis Data Streams.
    Streams,
    /// Amazon Data Firehose.
    Firehose,
    /// Kinesis Data Analytics.
    Analytics,
    /// Kinesis Video Streams with WebRTC.
    Video,
    /// Preset and saved scenarios.
    Scenarios,
}

impl Lab {
    /// Every lab, in navigation order.
    pub const ALL: [Lab; 5] = [Lab::Streams, Lab::Firehose, Lab::Analytics, Lab::Video, Lab::Scenarios];

    /// The name shown in the navigation bar.
    pub fn title(self) -> &'static str {
        match self {
            Lab::Streams => "Streams",
            Lab::Firehose => "Firehose",
            Lab::Analytics => "Analytics",
            Lab::Video => "Video",
            Lab::Scenarios => "Scenarios",
        }
    }

    /// The URL hash that opens this lab, without `#`.
    pub fn slug(self) -> &'static str {
        match self {
            Lab::Streams => "streams",
            Lab::Firehose => "firehose",
            Lab::Analytics => "analytics",
            Lab::Video => "video",
            Lab::Scenarios => "scenarios",
        }
    }

    /// The lab a URL hash names (`#video`, `video`, `#/video`); unknown or empty hashes open Streams.
    pub fn from_hash(hash: &str) -> Lab {
        let slug = hash.trim_start_matches('#').trim_start_matches('/');
        Lab::ALL.into_iter().find(|lab| lab.slug().eq_ignore_ascii_case(slug)).unwrap_or(Lab::Streams)
    }

    /// One plain sentence on what the lab is and whether it is built yet.
    pub fn status_sentence(self) -> &'static str {
        match self {
            Lab::Streams => "The Streams lab is partly built: load a preset or design a stream, play or fast-forward it, watch each shard's key range, rates and throttling live, chart any shard second by second beside CloudWatch's minutes, page through its records, reshard while it runs and size a stream with the planner; opening a preset in the design panel to edit it is not built yet.",
            Lab::Firehose => "The Firehose lab is built: load a Firehose scenario, play or fast-forward it, and watch the stages count records, the buffer fill toward its size and interval hints with the trigger that fires first, each delivery and failure, the bytes and records charts, and the bucket's objects, which open as text, hex or Parquet rows and download as real files; S3 outages are a click away, an HTTP endpoint or Splunk destination shows its receiver's requests, retries and duplicates with drills of its own, a converting stream shows its SerDe, Glue table and failed records, a Redshift stream its COPY queue with a SQL box on the cluster, and an OpenSearch stream its indices and documents, each with drills of its own (an endpoint also takes an error rate and a latency); a retry timeline lays out each troubled delivery's attempts, and a cost meter shows what the 5 KB billing increment makes of the records sent; format conversion writes Parquet, not ORC.",
            Lab::Analytics => "The Analytics lab is partly built: compare tumbling, sliding, session and stagger windows over one out-of-order stream from two shards, with knobs for out-of-orderness, lateness, idleness and size, and play or drag processing time to watch panes fill and fire and the watermark move, run the book's SQL queries and the seed Flink programs over sample input with errors underlined where they are, and build pipelines from forms (source, operators, key and time, window, aggregate, sink); applications in the simulated account run in the Analytics presets on the Scenarios page, where their input and output streams show in the Streams or Firehose lab; the Streams and Firehose labs list the account's applications (status, KPUs, checkpoints, last rows) while a preset runs; Lambda outputs and reference data in the account are not built yet.",
            Lab::Video => "The Video lab is partly built: a real master and viewer (your camera, RTCPeerConnection, a data channel) connect through the simulated Kinesis Video Streams signaling channel, in one tab or two, with its frames, candidates, NAT verdict, codecs and stats live, the channel's knobs and failure drills, a guided lesson, and the master's camera recorded into a Kinesis video stream (fragments, PutMedia acknowledgements, retention) with GetClip ranges played back; GetMedia and HLS/DASH playback are not built yet.",
            Lab::Scenarios => "The Scenarios lab is partly built: open a preset (Streams, Firehose or Analytics) in the Streams or Firehose lab, save designs in this browser, export and import scenario files and share a design by its address; editing a preset in the design panel is not built yet.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip() {
        for lab in Lab::ALL {
            assert_eq!(Lab::from_hash(&format!("#{}", lab.slug())), lab);
            assert_eq!(Lab::from_hash(&format!("#/{}", lab.slug().to_uppercase())), lab);
        }
    }

    #[test]
    fn unknown_hashes_open_streams() {
        for hash in ["", "#", "#nope", "#streams/extra"] {
            assert_eq!(Lab::from_hash(hash), Lab::Streams, "{hash}");
        }
    }

    #[test]
    fn every_lab_says_plainly_whether_it_is_built() {
        for lab in Lab::ALL {
            let s = lab.status_sentence();
            let state = if lab == Lab::Firehose {
                "built"
            } else if matches!(lab, Lab::Streams | Lab::Scenarios | Lab::Video | Lab::Analytics) {
                "partly built"
            } else {
                "not built yet"
            };
            assert!(s.starts_with(&format!("The {} lab is {state}", lab.title())), "{s}");
            assert_eq!(s.matches(". ").count(), 0, "one sentence: {s}");
        }
    }
}
