//! What the fault matrix is made of: the world a run happens in ([`lab`]) and the client
//! at the keyboard ([`person`]).

pub mod lab;
pub mod person;
