//! The parts a search can be asked to fit, what an architecture costs on each, and a search's
//! hard budget.
//!
//! A [`Target`] names a part ([`Part`]: its clock, its flash and RAM, the header it runs). A
//! [`Budget`] bounds flash, RAM and latency on it; a search under a budget never trains an
//! architecture over it (its reward is 0, so the controller learns to avoid it; or, to
//! measure that against, it is trained as usual: [`OverBudget`]) and never makes it a
//! finalist or the winner.
//!
//! ## What an architecture costs
//! The cost of the smallest program that classifies with the exported header (features in a
//! volatile array, the class written to a port; `tests/targets/measure.rs`), on the part:
//! - **flash**: the header's constants, exact ([`Memory`]), plus its code: a linear model in
//!   the hidden layers, the activation tables and the ensemble;
//! - **RAM**: the program's features (four bytes each) plus the stack the header states
//!   ([`Memory::stack`]);
//! - **latency**: the cycles of one `piconas_predict` (from raw features to the class), a
//!   linear model in the work it does ([`Work`]: features read, multiply-adds, layers,
//!   requantised rows, table lookups, logits weighed into an ensemble), over the part's clock.
//!
//! The int8 header reads raw features in integers, the standardisation folded into its
//! constants (`src/int8.rs`'s `Front`): whether the data is standardised changes no cost.
//!
//! The models are fitted to measurements on the part (`tests/targets/calibrate.rs` measures,
//! `tests/targets/fit.py` fits, `tests/targets.rs` checks them on architectures they never
//! saw); every coefficient is at least 0, so the smallest network of the space is `[]` or `[1]`
//! and [`Budget::fallback`] can find it without a search.
//!
//! An ensemble of `m` members (a winner is one of its folds' networks) costs its constants,
//! work and tables `m` times over; the code and the stack are shared.

use crate::arch::{Arch, Shape};
use crate::memory::{Layers, Memory};

crate::rules::choices! {
    /// The part a search's winner must fit.
    pub enum Target {
        /// The machine that searches: no budget.
        #[default]
        Host => "host",
        /// The ATmega328P of an Arduino Uno: 8-bit AVR at 16 MHz, 32 KB of flash (512 bytes
        /// of which hold the bootloader), 2 KB of SRAM; runs the int8 header.
        Atmega328p => "atmega328p",
        /// A Cortex-M0 as in the nRF51822 of a BBC micro:bit: 16 MHz, 256 KB of flash, 16 KB
        /// of RAM; runs the int8 header.
        CortexM0 => "cortex-m0",
        /// A Cortex-M4F as in the nRF52832: 64 MHz, 512 KB of flash, 64 KB of RAM; runs the
        /// int8 header.
        CortexM4f => "cortex-m4f",
    }
}

impl Target {
    /// The part, or `None` for the host (which has no budget).
    pub const fn part(self) -> Option<&'static Part> {
        match self {
            Target::Host => None,
            Target::Atmega328p => Some(&ATMEGA328P),
            Target::CortexM0 => Some(&CORTEX_M0),
            Target::CortexM4f => Some(&CORTEX_M4F),
        }
    }
}

/// What an ensemble computes for one classification, summed over its members: the features of
/// the cycle model, in [`Work::features`]' order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Raw features read into int8 inputs (from their bits, in integers).
    pub inputs: u32,
    /// Lookups in the lead table (activations before the first layer), every member.
    pub lead_lookups: u32,
    /// Inputs copied into a member's buffer where there is no lead table, every member.
    pub copies: u32,
    /// Multiply-adds of the linear layers, every member.
    pub macs: u32,
    /// The multiply-adds of an ensemble (none for one network): its member function is called
    /// once a member with the member's index, not inlined with constant addresses, and a
    /// 32-bit part's compiler keeps fewer of its loop's values in registers (on the Cortex-M0,
    /// 13 instructions a multiply-add instead of 7).
    pub member_macs: u32,
    /// Hidden rows requantised to int8, every member.
    pub hidden_rows: u32,
    /// Lookups in the hidden layers' activation tables, every member.
    pub table_lookups: u32,
    /// Logits weighed into an ensemble's sum (an int64 multiply-add each), every member; none
    /// for one network, whose class is the arg-max of its own int32 logits.
    pub outputs: u32,
    /// Linear layers walked, every member.
    pub layers: u32,
    /// Members.
    pub members: u32,
    /// Classes compared for the largest logit.
    pub classes: u32,
}

/// How many features [`Work::features`] has.
pub const WORK_FEATURES: usize = 12;

impl Work {
    /// The work of `members` networks of `arch` on `shape`.
    pub fn of(arch: &Arch, shape: Shape, members: u32) -> Work {
        let layers = Layers::of(arch, shape);
        let d = shape.inputs() as u32;
        let m = members;
        let sum = |f: &dyn Fn(&crate::memory::Linear) -> usize| -> u32 {
            layers.linear.iter().map(f).sum::<usize>() as u32
        };
        let hidden = layers.hidden();
        let macs = m * sum(&|l| l.fan_in * l.fan_out);
        Work {
            inputs: d,
            lead_lookups: if layers.lead { m * d } else { 0 },
            copies: if layers.lead { 0 } else { m * d },
            macs,
            member_macs: if m > 1 { macs } else { 0 },
            hidden_rows: m * hidden.iter().map(|l| l.fan_out).sum::<usize>() as u32,
            table_lookups: m * sum(&|l| if l.activated { l.fan_out } else { 0 }),
            outputs: if m > 1 { m * shape.classes() as u32 } else { 0 },
            layers: m * layers.linear.len() as u32,
            members: m,
            classes: shape.classes() as u32,
        }
    }

    /// The cycle model's features: a constant 1, then each count in the field order.
    pub fn features(&self) -> [u32; WORK_FEATURES] {
        [
            1,
            self.inputs,
            self.lead_lookups,
            self.copies,
            self.macs,
            self.member_macs,
            self.hidden_rows,
            self.table_lookups,
            self.outputs,
            self.layers,
            self.members,
            self.classes,
        ]
    }

    /// The features' names, for the calibration's CSV.
    pub const FEATURE_NAMES: [&'static str; WORK_FEATURES] = [
        "one",
        "inputs",
        "lead_lookups",
        "copies",
        "macs",
        "member_macs",
        "hidden_rows",
        "table_lookups",
        "outputs",
        "layers",
        "members",
        "classes",
    ];
}

/// The code model's features: a constant 1, the hidden layers, the hidden layers with
/// activations, the lead table, an ensemble (more than one member: the loop over them and the
/// int64 sum), the hidden layers again when in an ensemble (each layer's code indexes its
/// member's weights), and more than four inputs (measured: avr-gcc -Os compiles the loops
/// over at most four features into less code; with this feature the held-out flash error's
/// 95th percentile fell from 12.0 % to 7.8 %).
pub const CODE_FEATURES: usize = 7;

/// The code model's features of `members` networks of `arch` on `shape`.
pub fn code_features(arch: &Arch, shape: Shape, members: u32) -> [u32; CODE_FEATURES] {
    let layers = Layers::of(arch, shape);
    let hidden = layers.hidden();
    let ensemble = u32::from(members > 1);
    [
        1,
        hidden.len() as u32,
        hidden.iter().filter(|l| l.activated).count() as u32,
        u32::from(layers.lead),
        ensemble,
        ensemble * hidden.len() as u32,
        u32::from(shape.inputs() > 4),
    ]
}

/// The code model's features' names, for the calibration's CSV.
pub const CODE_FEATURE_NAMES: [&str; CODE_FEATURES] = [
    "one",
    "hidden",
    "activated",
    "lead",
    "ensemble",
    "ensemble_hidden",
    "wide_inputs",
];

/// A part: its clock, what it holds, and its fitted cost models.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Part {
    /// Which.
    pub target: Target,
    /// Its clock, in Hz.
    pub clock_hz: u32,
    /// The flash a program may use, in bytes (the part's, less a bootloader's).
    pub flash: u32,
    /// Its RAM, in bytes.
    pub ram: u32,
    /// Bytes of code, per [`code_features`] (rounded up), the constant raised so that the
    /// model bounds every calibration row.
    pub code: [u32; CODE_FEATURES],
    /// Cycles per [`Work::features`], in 1/256 of a cycle (the fit: it may under-predict).
    pub cycles: [u32; WORK_FEATURES],
    /// What a budget adds to the fitted cycles, in thousandths: the largest under-prediction
    /// on the calibration rows, so that the bound holds on every one of them.
    pub cycles_margin: u32,
    /// Cycles per unit the calibration counted, in thousandths: 1000 where it counted cycles
    /// (simavr); on a Cortex-M, where QEMU counts instructions, an assumption (see the part).
    pub cycles_per_count: u32,
}

/// A network's cost on a part, as its models bound it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// The program's flash, in bytes (a bound).
    pub flash: u32,
    /// Its RAM: static (the features) and the stack the header states, in bytes (exact).
    pub ram: u32,
    /// Cycles of one classification: the fitted model's prediction.
    pub cycles: u32,
    /// The cycles with the model's margin: the bound a budget checks.
    pub cycles_bound: u32,
}

fn dot<const N: usize>(coefficients: &[u32; N], features: &[u32; N]) -> u64 {
    coefficients
        .iter()
        .zip(features)
        .map(|(&c, &f)| u64::from(c) * u64::from(f))
        .sum()
}

fn saturate(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Part {
    /// What `members` networks of `arch` on `shape` cost here.
    pub fn footprint(&self, arch: &Arch, shape: Shape, members: u32) -> Footprint {
        let memory = Memory::int8(arch, shape, members as usize);
        let code = dot(&self.code, &code_features(arch, shape, members));
        let work = Work::of(arch, shape, members);
        let cycles =
            u64::from(self.cycles_of(saturate(dot(&self.cycles, &work.features()).div_ceil(256))));
        Footprint {
            flash: saturate(memory.constants as u64 + code),
            ram: saturate((4 * shape.inputs() + memory.stack) as u64),
            cycles: saturate(cycles),
            cycles_bound: saturate((cycles * u64::from(1000 + self.cycles_margin)).div_ceil(1000)),
        }
    }

    /// The cycles of `count` units of what the calibration counted, rounded up.
    pub fn cycles_of(&self, count: u32) -> u32 {
        saturate((u64::from(count) * u64::from(self.cycles_per_count)).div_ceil(1000))
    }

    /// Microseconds of `cycles` at the part's clock, rounded up.
    pub fn micros(&self, cycles: u32) -> u32 {
        saturate((u64::from(cycles) * 1_000_000).div_ceil(u64::from(self.clock_hz)))
    }
}

/// The ATmega328P: avr-gcc 5.4 `-Os`, cycles counted by Timer1 under simavr 1.6
/// (`tests/targets/atmega328p.csv`, 240 architectures, fitted by `tests/targets/fit.py`).
/// A multiply-add costs about 29 cycles, a raw feature read into an int8 input 378 (from its
/// bits: no soft float), a requantised row 157, a logit weighed into an ensemble's sum 354 (an
/// int64 multiply); the code starts at about 1.06 KB (1.26 KB with more than four features),
/// and an ensemble adds about 0.5 KB (its loop, and the 64-bit routines one network does
/// without).
const ATMEGA328P: Part = Part {
    target: Target::Atmega328p,
    clock_hz: 16_000_000,
    flash: 32_768 - 512,
    ram: 2048,
    code: [1059, 196, 0, 29, 496, 105, 197],
    cycles: [
        0, 96_862, 5097, 2167, 7410, 0, 40_103, 4308, 90_630, 0, 0, 0,
    ],
    cycles_margin: 170,
    cycles_per_count: 1000,
};

/// A Cortex-M0 (the nRF51822's clock and memories): arm-none-eabi-gcc 12.2 `-Os
/// -mcpu=cortex-m0`, no C library; instructions counted under QEMU 7.2 (`mps2-an385`, which
/// runs Cortex-M0 code, with `-icount`: QEMU has no cycle counter), fitted to
/// `tests/targets/cortex-m0.csv` (238 architectures; two whose class gcc proved constant left
/// out). A multiply-add is about 10 instructions (7 in one network's loop, 13 in an
/// ensemble's, where the M0's eight low registers run short), a raw feature 63.
///
/// Cycles are taken as 2 an instruction: an assumption, not a measurement, above what ARM's
/// timings give the multiply-add loop (7 instructions, 11 cycles: loads 2, a taken branch 3,
/// the rest 1, with the single-cycle multiplier most M0 parts have; the 32-cycle one would
/// break it).
const CORTEX_M0: Part = Part {
    target: Target::CortexM0,
    clock_hz: 16_000_000,
    flash: 256 * 1024,
    ram: 16 * 1024,
    code: [550, 78, 0, 5, 223, 25, 13],
    cycles: [
        0, 16_155, 4469, 3426, 2623, 571, 4572, 783, 13_279, 0, 0, 70,
    ],
    cycles_margin: 272,
    cycles_per_count: 2000,
};

/// A Cortex-M4F (the nRF52832's clock and memories): arm-none-eabi-gcc 12.2 `-Os
/// -mcpu=cortex-m4 -mfloat-abi=hard`, no C library; instructions counted under QEMU 7.2
/// (`mps2-an386`, `-icount`), fitted to `tests/targets/cortex-m4f.csv` (239 architectures,
/// one folded left out). A multiply-add is about 5 instructions, a raw feature 55. Cycles are
/// taken as 2 an instruction, as for the Cortex-M0: an assumption (ARM's Cortex-M4 timings:
/// most instructions 1, loads 1–2, taken branches 2–4), not a measurement.
const CORTEX_M4F: Part = Part {
    target: Target::CortexM4f,
    clock_hz: 64_000_000,
    flash: 512 * 1024,
    ram: 64 * 1024,
    code: [615, 75, 0, 9, 93, 38, 38],
    cycles: [0, 14_117, 2393, 1534, 1290, 138, 4646, 880, 1530, 0, 0, 140],
    cycles_margin: 364,
    cycles_per_count: 2000,
};

/// A search's hard limits on a part. A limit of 0 is the part's own: its flash and RAM, and no
/// deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Budget {
    /// The part (the host: no budget).
    pub target: Target,
    /// The program's flash, in bytes (0: the part's).
    pub max_flash: u32,
    /// Static RAM and stack, in bytes (0: the part's).
    pub max_ram: u32,
    /// One classification, in µs at the part's clock (0: no deadline).
    pub max_latency_us: u32,
    /// What the search does with an architecture over the limits.
    pub over: OverBudget,
}

crate::rules::choices! {
    /// What a search does with a sampled architecture over its budget. Either way it is never
    /// a finalist or the winner.
    pub enum OverBudget {
        /// Not trained; its reward is 0, so the controller learns to avoid it (as μNAS scores
        /// a constraint's violation): this project.
        #[default]
        Zero => "zero",
        /// Trained and rewarded as any other, only kept out of the finalists: the plain
        /// filter, a search blind to the budget, to measure the other against.
        Filter => "filter",
    }
}

/// The resource a network exceeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// Flash, in bytes.
    Flash,
    /// RAM, in bytes.
    Ram,
    /// Latency, in µs.
    Latency,
}

impl Resource {
    /// The budget's field that bounds it.
    pub const fn field(self) -> &'static str {
        match self {
            Resource::Flash => "budget.max_flash",
            Resource::Ram => "budget.max_ram",
            Resource::Latency => "budget.max_latency_us",
        }
    }
}

/// A budget's limits in the part's units, each as large as the part allows when unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Flash, in bytes.
    pub flash: u32,
    /// RAM, in bytes.
    pub ram: u32,
    /// Latency, in µs (`u32::MAX`: none).
    pub micros: u32,
}

impl Budget {
    /// No budget: the host's.
    pub const NONE: Budget = Budget {
        target: Target::Host,
        max_flash: 0,
        max_ram: 0,
        max_latency_us: 0,
        over: OverBudget::Zero,
    };

    /// The limits, or `None` on the host.
    pub fn limits(&self) -> Option<(&'static Part, Limits)> {
        let part = self.target.part()?;
        let or = |v: u32, part: u32| if v == 0 { part } else { v };
        Some((
            part,
            Limits {
                flash: or(self.max_flash, part.flash),
                ram: or(self.max_ram, part.ram),
                micros: or(self.max_latency_us, u32::MAX),
            },
        ))
    }

    /// The first resource `members` networks of `arch` on `shape` exceed, if any (never on the
    /// host).
    pub fn exceeded(&self, arch: &Arch, shape: Shape, members: u32) -> Option<Resource> {
        let (part, limits) = self.limits()?;
        let cost = part.footprint(arch, shape, members);
        if cost.flash > limits.flash {
            Some(Resource::Flash)
        } else if cost.ram > limits.ram {
            Some(Resource::Ram)
        } else if part.micros(cost.cycles_bound) > limits.micros {
            Some(Resource::Latency)
        } else {
            None
        }
    }

    /// Whether `members` networks of `arch` on `shape` fit.
    pub fn fits(&self, arch: &Arch, shape: Shape, members: u32) -> bool {
        self.exceeded(arch, shape, members).is_none()
    }

    /// The smallest networks of the space: `[]` (a linear classifier) and `[1]`. With every
    /// coefficient at least 0, one of them costs least of every architecture in each resource.
    pub const SMALLEST: [Arch; 2] = [Arch::EMPTY, Arch::ONE];

    /// The architecture a search under this budget falls back to when it has no finalist that
    /// fits: the first of [`Budget::SMALLEST`] that fits, or `None` if neither does (then no
    /// architecture fits).
    pub fn fallback(&self, shape: Shape, members: u32) -> Option<Arch> {
        Self::SMALLEST
            .into_iter()
            .find(|a| self.fits(a, shape, members))
    }

    /// What the smallest network needs of `resource` (the least over [`Budget::SMALLEST`]), in
    /// the budget's units; `None` on the host.
    pub fn least(&self, resource: Resource, shape: Shape, members: u32) -> Option<u32> {
        let part = self.target.part()?;
        Self::SMALLEST
            .iter()
            .map(|a| {
                let cost = part.footprint(a, shape, members);
                match resource {
                    Resource::Flash => cost.flash,
                    Resource::Ram => cost.ram,
                    Resource::Latency => part.micros(cost.cycles_bound),
                }
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::MAX_TOKENS;
    use crate::rng::{self, Stream};

    fn shapes() -> [Shape; 5] {
        [(2, 2), (4, 3), (13, 3), (30, 2), (64, 10)].map(|(d, k)| Shape::new(d, k).unwrap())
    }

    fn uno(max_flash: u32, max_ram: u32, max_latency_us: u32) -> Budget {
        Budget {
            target: Target::Atmega328p,
            max_flash,
            max_ram,
            max_latency_us,
            over: OverBudget::Zero,
        }
    }

    #[test]
    fn the_smallest_network_costs_least_of_every_resource() {
        // What `Budget::fallback` and the validation of a budget rely on, on random
        // architectures of every length.
        let part = Target::Atmega328p.part().unwrap();
        let mut rng = rng::stream(30, Stream::Child, 0);
        for shape in shapes() {
            for members in [1, 5] {
                let cost = |a: &Arch| part.footprint(a, shape, members);
                let least = |f: fn(Footprint) -> u32| {
                    Budget::SMALLEST.iter().map(|a| f(cost(a))).min().unwrap()
                };
                let floor = (
                    least(|c| c.flash),
                    least(|c| c.ram),
                    least(|c| c.cycles_bound),
                );
                for i in 0..200 {
                    let len = i % (MAX_TOKENS + 1);
                    let shorter: u32 = (0..len).map(|l| 9u32.pow(l as u32)).sum();
                    let a = Arch::nth(shorter + rng::below(&mut rng, 9u32.pow(len as u32)));
                    let c = cost(&a);
                    assert!(
                        c.flash >= floor.0 && c.ram >= floor.1 && c.cycles_bound >= floor.2,
                        "{a} on {shape:?}: {c:?} below {floor:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_footprint_is_the_constants_and_the_models_by_hand() {
        let part = Target::Atmega328p.part().unwrap();
        // `[]` on wine, one member: the front (7 bytes a feature), 39 weights, 3 biases (4
        // bytes), a member weight; the code's constant and more than four inputs.
        let wine = Shape::new(13, 3).unwrap();
        let c = part.footprint(&Arch::EMPTY, wine, 1);
        let constants = 7 * 13 + 39 + 12 + 4;
        assert_eq!(c.flash, constants + part.code[0] + part.code[6]);
        // The features (52 bytes) and the stack: two buffers of 13, the int8 inputs, 12 a class.
        assert_eq!(c.ram, 52 + 2 * 13 + 13 + 36);
        // No logit is weighed: one network's class is the arg-max of its own.
        // Its 13 inputs are copied once into its buffer (no lead table).
        let work = [1, 13, 0, 13, 39, 0, 0, 0, 0, 1, 1, 3];
        let fitted: u64 = part
            .cycles
            .iter()
            .zip(work)
            .map(|(&a, b)| u64::from(a) * b)
            .sum();
        assert_eq!(u64::from(c.cycles), fitted.div_ceil(256));
        assert_eq!(
            u64::from(c.cycles_bound),
            (u64::from(c.cycles) * (1000 + u64::from(part.cycles_margin))).div_ceil(1000)
        );
        assert_eq!(part.micros(16), 1);
        assert_eq!(part.micros(17), 2);
        // On a Cortex-M the models count instructions, two cycles each; the M4F runs at 64 MHz.
        let m4f = Target::CortexM4f.part().unwrap();
        let count: u64 = m4f
            .cycles
            .iter()
            .zip(work)
            .map(|(&a, b)| u64::from(a) * b)
            .sum();
        let on_m4f = m4f.footprint(&Arch::EMPTY, wine, 1);
        assert_eq!(u64::from(on_m4f.cycles), 2 * count.div_ceil(256));
        assert_eq!(m4f.cycles_of(7), 14);
        assert_eq!(m4f.micros(64), 1);
        assert_eq!(m4f.micros(65), 2);
    }

    #[test]
    fn the_models_features_by_hand() {
        // `[Tanh, 4, ReLU, 2]` on wine, three members: layers 13→4 (with a table), 4→2, 2→3,
        // and the lead table.
        let a: Arch = "[Tanh, 4, ReLU, 2]".parse().unwrap();
        let wine = Shape::new(13, 3).unwrap();
        let work = Work::of(&a, wine, 3);
        assert_eq!(
            work,
            Work {
                inputs: 13,
                lead_lookups: 3 * 13,
                copies: 0,
                macs: 3 * (13 * 4 + 4 * 2 + 2 * 3),
                member_macs: 3 * (13 * 4 + 4 * 2 + 2 * 3),
                hidden_rows: 3 * (4 + 2),
                table_lookups: 3 * 4,
                outputs: 3 * 3,
                layers: 3 * 3,
                members: 3,
                classes: 3,
            }
        );
        assert_eq!(
            work.features(),
            [1, 13, 39, 0, 198, 198, 18, 12, 9, 9, 3, 3]
        );
        // One network, no lead table: its inputs copied once, its multiply-adds inlined.
        let one = Work::of(&"[4, ReLU, 2]".parse().unwrap(), wine, 1);
        assert_eq!((one.lead_lookups, one.copies), (0, 13));
        assert_eq!((one.macs, one.member_macs), (13 * 4 + 4 * 2 + 2 * 3, 0));
        // Code: two hidden layers, one with activations, the lead, an ensemble.
        assert_eq!(code_features(&a, wine, 3), [1, 2, 1, 1, 1, 2, 1]);
        assert_eq!(code_features(&a, wine, 1), [1, 2, 1, 1, 0, 0, 1]);
        let moons = Shape::MOONS;
        assert_eq!(code_features(&Arch::EMPTY, moons, 1), [1, 0, 0, 0, 0, 0, 0]);
        // Four inputs are not wide; five are.
        let wide = |d| code_features(&Arch::EMPTY, Shape::new(d, 3).unwrap(), 1)[6];
        assert_eq!((wide(4), wide(5)), (0, 1));
        // One network weighs no logit.
        let plain = Work::of(&a, wine, 1);
        assert_eq!(
            (plain.outputs, plain.lead_lookups, plain.layers),
            (0, 13, 3)
        );
    }

    #[test]
    fn a_budget_is_the_parts_where_unset_and_none_on_the_host() {
        assert_eq!(Budget::NONE.limits(), None);
        assert!(Budget::NONE.fits(&Arch::LARGEST, Shape::new(64, 10).unwrap(), 10));
        let (part, limits) = uno(0, 0, 0).limits().unwrap();
        assert_eq!(
            limits,
            Limits {
                flash: part.flash,
                ram: part.ram,
                micros: u32::MAX
            }
        );
        assert_eq!(uno(2048, 512, 900).limits().unwrap().1.micros, 900);
    }

    #[test]
    fn each_limit_is_checked_and_the_first_exceeded_is_named() {
        let wine = Shape::new(13, 3).unwrap();
        let part = Target::Atmega328p.part().unwrap();
        let a: Arch = "[16, ReLU, 16]".parse().unwrap();
        let c = part.footprint(&a, wine, 1);
        let us = part.micros(c.cycles_bound);
        let exactly = uno(c.flash, c.ram, us);
        assert_eq!(exactly.exceeded(&a, wine, 1), None);
        assert_eq!(
            uno(c.flash - 1, c.ram - 1, us - 1).exceeded(&a, wine, 1),
            Some(Resource::Flash)
        );
        assert_eq!(
            uno(c.flash, c.ram - 1, us - 1).exceeded(&a, wine, 1),
            Some(Resource::Ram)
        );
        assert_eq!(
            uno(c.flash, c.ram, us - 1).exceeded(&a, wine, 1),
            Some(Resource::Latency)
        );
        // Five members cost more than one.
        assert!(!exactly.fits(&a, wine, 5));
    }

    #[test]
    fn the_fallback_is_the_first_smallest_network_that_fits() {
        let wine = Shape::new(13, 3).unwrap();
        let part = Target::Atmega328p.part().unwrap();
        let empty = part.footprint(&Arch::EMPTY, wine, 1);
        let one = part.footprint(&Arch::ONE, wine, 1);
        // `[1]` is faster than `[]` on wine (16 + 3 multiply-adds against 39).
        assert!(one.cycles_bound < empty.cycles_bound);
        let fast = uno(0, 0, part.micros(one.cycles_bound));
        assert_eq!(fast.fallback(wine, 1), Some(Arch::ONE));
        assert_eq!(
            fast.least(Resource::Latency, wine, 1),
            Some(part.micros(one.cycles_bound))
        );
        assert_eq!(uno(0, 0, 0).fallback(wine, 1), Some(Arch::EMPTY));
        assert_eq!(uno(100, 0, 0).fallback(wine, 1), None);
    }
}
