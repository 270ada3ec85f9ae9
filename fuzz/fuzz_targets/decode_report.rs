//! The collector's front door: any bytes through the report decoder and validator.
//! Nothing may panic; whatever decodes must survive a JSON round trip unchanged and get
//! the same validation verdict afterwards.

#![no_main]

use libfuzzer_sys::fuzz_target;
use simpul_protocol::{decode_reports, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(reports) = decode_reports(data) else {
        return;
    };
    let limits = Limits::default();
    for r in &reports {
        let verdict = r.validate(&limits, 1.8e9);
        let json = serde_json::to_vec(r).expect("a decoded report serialises");
        let back = decode_reports(&json).expect("a serialised report decodes");
        assert_eq!(back.len(), 1);
        assert_eq!(&back[0], r, "JSON round trip changed the report");
        assert_eq!(back[0].validate(&limits, 1.8e9), verdict);
    }
});
