//! HTTP/1.1 on the library's connections, framed by ureq-proto.

pub(crate) mod exchange;
