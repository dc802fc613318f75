pub extern "C" fn acme_answer() -> u32 { acme_core::answer() }
