//! Tests of the wizard, step by step and flow by flow, driven only by inputs.

mod support;

mod destroy_flow;
mod fuzz;
mod new_flow;
mod renew_flow;
mod save_flow;
mod secrets;
