pub mod replay; pub mod sim; pub mod trace; pub mod wire;
