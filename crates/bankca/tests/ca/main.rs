//! The bank CA from outside: its library, its server with `openssl cmp` as the client,
//! e-mail, restarts, hostile input, renewals' contacts, and who may do what.

#[path = "../common/mod.rs"]
mod common;

mod authorisation;
mod bad_input;
mod contacts;
mod library;
mod mail;
mod openssl_client;
mod restart;
