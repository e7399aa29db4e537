//! 64-bit XGMII-style receive front end (10 GbE, eight lanes per cycle at 156.25 MHz).
//!
//! Lane 0 is bits 7..0; `rxc` bit *i* marks lane *i* as a control character (802.3 clause 46).
//! A frame starts with /S/ (0xFB) in lane 0 or lane 4, followed by six preamble octets and the
//! SFD; it ends at /T/ (0xFD). The aligner moves lane-4 starts to lane 0 (one cycle of
//! latency either way), then the deframer emits beats of the internal stream: the frame's
//! octets, FCS included, with `last` on the beat that holds /T/ (possibly empty). A control
//! character other than /T/ inside a frame (an /E/ error, a stray idle) ends the frame with
//! `phy_err`; a start not followed by a proper preamble and SFD is dropped with `pre_err`.

use arsenic_interface::eth;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum XgmiiState {
    Idle,
    Data,
    Discard,
}

#[derive(LogicBlock)]
pub struct XgmiiRx {
    pub clock: Signal<In, Clock>,
    // XGMII receive signals from the PCS.
    pub rxd: Signal<In, Bits<64>>,
    pub rxc: Signal<In, Bits<8>>,
    // Internal stream out, as from the GMII front end.
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<64>>,
    pub nbytes: Signal<Out, Bits<4>>,
    pub last: Signal<Out, Bit>,
    pub phy_err: Signal<Out, Bit>,
    pub pre_err: Signal<Out, Bit>,
    pub start: Signal<Out, Bit>,
    prev_d: DFF<Bits<64>>,
    prev_c: DFF<Bits<8>>,
    shift: DFF<Bit>,
    state: DFF<XgmiiState>,
    o_valid: DFF<Bit>,
    o_data: DFF<Bits<64>>,
    o_nbytes: DFF<Bits<4>>,
    o_last: DFF<Bit>,
    o_phy: DFF<Bit>,
    o_pre: DFF<Bit>,
    o_start: DFF<Bit>,
    // The aligned word, its control bits, the first control lane (8: none) and its octet.
    ad: Signal<Local, Bits<64>>,
    ac: Signal<Local, Bits<8>>,
    first: Signal<Local, Bits<4>>,
    first_char: Signal<Local, Bits<8>>,
    k_start: Constant<Bits<8>>,
    k_term: Constant<Bits<8>>,
    k_pre_sfd: Constant<Bits<64>>,
    k_lanes_1_7: Constant<Bits<64>>,
}

impl Default for XgmiiRx {
    fn default() -> Self {
        let mut pre_sfd = (eth::SFD as u64) << 56;
        for lane in 1..7 {
            pre_sfd |= (eth::PREAMBLE as u64) << (8 * lane);
        }
        Self {
            clock: Default::default(),
            rxd: Default::default(),
            rxc: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            nbytes: Default::default(),
            last: Default::default(),
            phy_err: Default::default(),
            pre_err: Default::default(),
            start: Default::default(),
            prev_d: Default::default(),
            prev_c: Default::default(),
            shift: Default::default(),
            state: Default::default(),
            o_valid: Default::default(),
            o_data: Default::default(),
            o_nbytes: Default::default(),
            o_last: Default::default(),
            o_phy: Default::default(),
            o_pre: Default::default(),
            o_start: Default::default(),
            ad: Default::default(),
            ac: Default::default(),
            first: Default::default(),
            first_char: Default::default(),
            k_start: Constant::new((eth::xgmii::START as u64).into()),
            k_term: Constant::new((eth::xgmii::TERMINATE as u64).into()),
            k_pre_sfd: Constant::new(pre_sfd.into()),
            k_lanes_1_7: Constant::new(0xFFFF_FFFF_FFFF_FF00u64.into()),
        }
    }
}

impl Logic for XgmiiRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, prev_d, prev_c, shift, state, o_valid, o_data, o_nbytes, o_last, o_phy,
            o_pre, o_start
        );
        // Aligner: remember this word; a start in lane 4 selects the half-word shift.
        self.prev_d.d.next = self.rxd.val();
        self.prev_c.d.next = self.rxc.val();
        if self.rxc.val().get_bit(4) & (self.rxd.val().get_bits::<8>(32) == self.k_start.val()) {
            self.shift.d.next = true;
        }
        if self.rxc.val().get_bit(0) & (self.rxd.val().get_bits::<8>(0) == self.k_start.val()) {
            self.shift.d.next = false;
        }
        if self.shift.q.val() {
            self.ad.next = (bit_cast::<64, 32>(self.rxd.val().get_bits::<32>(0)) << 32)
                | bit_cast::<64, 32>(self.prev_d.q.val().get_bits::<32>(32));
            self.ac.next = (bit_cast::<8, 4>(self.rxc.val().get_bits::<4>(0)) << 4)
                | bit_cast::<8, 4>(self.prev_c.q.val().get_bits::<4>(4));
        } else {
            self.ad.next = self.prev_d.q.val();
            self.ac.next = self.prev_c.q.val();
        }
        // The lowest lane holding a control character.
        self.first.next = 8.into();
        self.first_char.next = 0.into();
        for i in 0..8 {
            if self.ac.val().get_bit(7 - i) {
                self.first.next = (7 - i).to_bits();
                self.first_char.next = self.ad.val().get_bits::<8>((7 - i) * 8);
            }
        }
        // Deframer.
        self.o_valid.d.next = false;
        self.o_last.d.next = false;
        self.o_start.d.next = false;
        self.o_phy.d.next = false;
        self.o_pre.d.next = false;
        match self.state.q.val() {
            XgmiiState::Idle => {
                if self.ac.val().get_bit(0) & (self.ad.val().get_bits::<8>(0) == self.k_start.val())
                {
                    self.o_start.d.next = true;
                    if ((self.ad.val() & self.k_lanes_1_7.val()) == self.k_pre_sfd.val())
                        & (self.ac.val().get_bits::<7>(1) == 0)
                    {
                        self.state.d.next = XgmiiState::Data;
                    } else {
                        self.state.d.next = XgmiiState::Discard;
                    }
                }
            }
            XgmiiState::Data => {
                self.o_valid.d.next = true;
                self.o_data.d.next = self.ad.val();
                self.o_nbytes.d.next = self.first.val();
                if self.first.val() != 8 {
                    self.o_last.d.next = true;
                    self.o_phy.d.next = self.first_char.val() != self.k_term.val();
                    self.state.d.next = XgmiiState::Idle;
                }
            }
            XgmiiState::Discard => {
                if self.ac.val().any() {
                    self.o_valid.d.next = true;
                    self.o_last.d.next = true;
                    self.o_nbytes.d.next = 0.into();
                    self.o_pre.d.next = true;
                    self.state.d.next = XgmiiState::Idle;
                }
            }
        }
        self.valid.next = self.o_valid.q.val();
        self.data.next = self.o_data.q.val();
        self.nbytes.next = self.o_nbytes.q.val();
        self.last.next = self.o_last.q.val();
        self.phy_err.next = self.o_phy.q.val();
        self.pre_err.next = self.o_pre.q.val();
        self.start.next = self.o_start.q.val();
    }
}
