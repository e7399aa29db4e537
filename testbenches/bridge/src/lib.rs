//! The card's Verilator models, built by this crate's build script from the `arsenic-hdl`
//! designs. Each design is a module with `In` and `Out` port structs (generated from the
//! design's port list) and a `Model` whose [`tick`](nic::Model::tick) runs one clock cycle:
//! inputs applied, falling then rising edge, outputs read back. One FFI call per cycle.
//!
//! ```no_run
//! use arsenic_bridge::nic::{In, Model, Out};
//! let mut model = Model::new();
//! let (input, mut output) = (In::default(), Out::default());
//! model.tick(&input, &mut output);
//! assert_eq!(model.cycle(), 1);
//! ```

use std::path::{Path, PathBuf};

/// Errors of the bridge.
#[derive(Debug)]
pub enum BridgeError {
    /// The waveform file could not be opened.
    Vcd(PathBuf),
    /// A waveform window was asked for while one is open or pending.
    VcdBusy,
    /// The path cannot be passed to C (it holds a NUL byte).
    BadPath(PathBuf),
}

impl std::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BridgeError::Vcd(p) => write!(f, "cannot open waveform file {}", p.display()),
            BridgeError::VcdBusy => write!(f, "a waveform window is already open or pending"),
            BridgeError::BadPath(p) => write!(f, "path {} contains a NUL byte", p.display()),
        }
    }
}

impl std::error::Error for BridgeError {}

/// A window of cycles to record as VCD.
#[derive(Debug, Clone)]
struct VcdWindow {
    path: std::ffi::CString,
    shown: PathBuf,
    from: u64,
    to: u64,
    half_period_ps: u64,
    open: bool,
}

#[doc(hidden)]
#[macro_export]
macro_rules! model_impl {
    ($name:ident, $new:ident, $free:ident, $topen:ident, $tclose:ident, $tick:ident) => {
        /// A running instance of the design.
        pub struct Model {
            ctx: std::ptr::NonNull<Ctx>,
            cycle: u64,
            vcd: Option<$crate::VcdState>,
        }

        // SAFETY: the model's state is reached only through `&mut self`; each model has its
        // own VerilatedContext, so moving it to another thread shares nothing.
        unsafe impl Send for Model {}

        impl Default for Model {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Model {
            /// A new instance in its power-on state.
            pub fn new() -> Self {
                // SAFETY: the constructor has no preconditions and returns an owned pointer.
                let raw = unsafe { $new() };
                Model {
                    ctx: std::ptr::NonNull::new(raw).expect("model allocation failed"),
                    cycle: 0,
                    vcd: None,
                }
            }

            /// Runs one clock cycle with `input`; `output` receives the ports after the
            /// rising edge.
            #[inline]
            pub fn tick(&mut self, input: &In, output: &mut Out) {
                if self.vcd.is_some() {
                    self.vcd_step();
                }
                // SAFETY: ctx is live (owned by self); input and output are valid #[repr(C)]
                // structs whose layout the build script generated together with the C side.
                unsafe { $tick(self.ctx.as_ptr(), input, output) };
                self.cycle += 1;
            }

            /// Cycles run so far.
            pub fn cycle(&self) -> u64 {
                self.cycle
            }

            /// Records cycles `from..to` (absolute cycle numbers) into a VCD file at `path`,
            /// with `half_period_ps` picoseconds per half clock period.
            pub fn record_vcd(
                &mut self,
                path: &std::path::Path,
                from: u64,
                to: u64,
                half_period_ps: u64,
            ) -> Result<(), $crate::BridgeError> {
                if self.vcd.is_some() {
                    return Err($crate::BridgeError::VcdBusy);
                }
                self.vcd = Some($crate::VcdState::new(path, from, to, half_period_ps)?);
                self.vcd_step();
                Ok(())
            }

            fn vcd_step(&mut self) {
                let cycle = self.cycle;
                let Some(v) = self.vcd.as_mut() else { return };
                match v.action(cycle) {
                    $crate::VcdAction::None => {}
                    $crate::VcdAction::Open => {
                        // SAFETY: ctx is live and the path is a valid NUL-terminated string.
                        let rc =
                            unsafe { $topen(self.ctx.as_ptr(), v.c_path(), v.half_period_ps()) };
                        if rc != 0 {
                            eprintln!("warning: {}", v.error());
                            self.vcd = None;
                        }
                    }
                    $crate::VcdAction::Close => {
                        // SAFETY: ctx is live; closing a trace that is open is always valid.
                        unsafe { $tclose(self.ctx.as_ptr()) };
                        self.vcd = None;
                    }
                }
            }

            /// Closes a waveform file that is open.
            pub fn close_vcd(&mut self) {
                // SAFETY: ctx is live; closing with no trace open does nothing.
                unsafe { $tclose(self.ctx.as_ptr()) };
                self.vcd = None;
            }
        }

        impl Drop for Model {
            fn drop(&mut self) {
                // SAFETY: ctx came from the constructor and is freed exactly once, here.
                unsafe { $free(self.ctx.as_ptr()) };
            }
        }
    };
}

#[doc(hidden)]
pub enum VcdAction {
    None,
    Open,
    Close,
}

#[doc(hidden)]
pub struct VcdState(VcdWindow);

impl VcdState {
    #[doc(hidden)]
    pub fn new(path: &Path, from: u64, to: u64, half_period_ps: u64) -> Result<Self, BridgeError> {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| BridgeError::BadPath(path.to_path_buf()))?;
        Ok(VcdState(VcdWindow {
            path: c,
            shown: path.to_path_buf(),
            from,
            to,
            half_period_ps,
            open: false,
        }))
    }
    #[doc(hidden)]
    pub fn action(&mut self, cycle: u64) -> VcdAction {
        let w = &mut self.0;
        if !w.open && cycle >= w.from && cycle < w.to {
            w.open = true;
            VcdAction::Open
        } else if cycle >= w.to {
            VcdAction::Close
        } else {
            VcdAction::None
        }
    }
    #[doc(hidden)]
    pub fn c_path(&self) -> *const std::os::raw::c_char {
        self.0.path.as_ptr()
    }
    #[doc(hidden)]
    pub fn half_period_ps(&self) -> u64 {
        self.0.half_period_ps
    }
    #[doc(hidden)]
    pub fn error(&self) -> BridgeError {
        BridgeError::Vcd(self.0.shown.clone())
    }
}

include!(concat!(env!("OUT_DIR"), "/models.rs"));

/// The Verilog the models were built from, by design name.
pub fn verilog(design: &str) -> Option<&'static str> {
    match design {
        "nic" => Some(include_str!(concat!(env!("OUT_DIR"), "/nic.v"))),
        "mac_rx" => Some(include_str!(concat!(env!("OUT_DIR"), "/mac_rx.v"))),
        "classifier" => Some(include_str!(concat!(env!("OUT_DIR"), "/classifier.v"))),
        "classifier_seq" => Some(include_str!(concat!(env!("OUT_DIR"), "/classifier_seq.v"))),
        "tunnel_nic" => Some(include_str!(concat!(env!("OUT_DIR"), "/tunnel_nic.v"))),
        _ => None,
    }
}
