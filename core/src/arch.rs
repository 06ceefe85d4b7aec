//! The architecture space: tokens, and the child network they spell.
//!
//! A child is a sequence of at most [`MAX_TOKENS`] tokens read in order: a width token adds
//! a linear layer from the current feature count to that width, an activation token applies
//! to the current features, `EOS` ends the sequence early. A final linear layer maps the
//! features to one logit per class. The data's [`Shape`] (`d` inputs, `k` classes) fixes the
//! first fan-in and the last fan-out: on the moons (`d = k = 2`) `[16, Tanh, 8, ReLU]` is
//! `Linear(2,16) → Tanh → Linear(16,8) → ReLU → Linear(8,2)`, and `[]` is `Linear(2,2)`.
//!
//! ## Capacities
//! Every buffer of a child is sized at compile time by [`MAX_INPUTS`] and [`MAX_CLASSES`]
//! (and [`MAX_WIDTH`], [`MAX_TOKENS`]); `d` and `k` are run-time values up to them. The default
//! is 64 features and 10 classes, for hosts and the page. A firmware picks the smallest that
//! holds its data with one `max-inputs-N` and one `max-classes-N` feature of this crate (as
//! smoltcp's and embassy's capacity features do), and every child buffer shrinks with it.

use core::fmt;
use core::str::FromStr;

/// The most tokens a child may have (the original's `max_depth`).
pub const MAX_TOKENS: usize = 6;
/// The widest hidden layer.
pub const MAX_WIDTH: usize = 16;
/// The most input features a sample may have (`d`): 64, or less with a `max-inputs-N` feature.
pub const MAX_INPUTS: usize = {
    let chosen = [
        (cfg!(feature = "max-inputs-2"), 2),
        (cfg!(feature = "max-inputs-4"), 4),
        (cfg!(feature = "max-inputs-16"), 16),
    ];
    one_capacity(chosen, 64)
};
/// The most classes (`k`, hence output logits): 10, or less with a `max-classes-N` feature.
pub const MAX_CLASSES: usize = {
    let chosen = [
        (cfg!(feature = "max-classes-2"), 2),
        (cfg!(feature = "max-classes-4"), 4),
    ];
    one_capacity(chosen, 10)
};

/// The capacity one group of features chooses, or `default` if none; two at once fail the
/// build (capacity features are exclusive, as smoltcp's are).
pub(crate) const fn one_capacity<const N: usize>(
    chosen: [(bool, usize); N],
    default: usize,
) -> usize {
    let mut value = default;
    let mut count = 0;
    let mut i = 0;
    while i < N {
        if chosen[i].0 {
            value = chosen[i].1;
            count += 1;
        }
        i += 1;
    }
    assert!(
        count <= 1,
        "enable at most one max-inputs-N and one max-classes-N feature"
    );
    value
}

/// The fewest classes a data set may have.
pub const MIN_CLASSES: usize = 2;

/// The widest a layer's input may be: a hidden layer's, or the data's.
pub const MAX_FAN_IN: usize = if MAX_INPUTS > MAX_WIDTH {
    MAX_INPUTS
} else {
    MAX_WIDTH
};

/// What a child network maps: `inputs` features (`d`) to `classes` logits (`k`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    inputs: u8,
    classes: u8,
}

/// Why a [`Shape`] was refused: its features or classes are outside the capacities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// Features asked for.
    pub inputs: usize,
    /// Classes asked for.
    pub classes: usize,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, k) = (self.inputs, self.classes);
        let (fs, cs) = (
            if d == 1 { "" } else { "s" },
            if k == 1 { "" } else { "es" },
        );
        write!(
            f,
            "{d} feature{fs} and {k} class{cs}, but this build takes 1 to {MAX_INPUTS} features \
             and {MIN_CLASSES} to {MAX_CLASSES} classes"
        )
    }
}

impl core::error::Error for ShapeError {}

impl Shape {
    /// Two features, two classes: the moons and every generated data set.
    pub const MOONS: Shape = Shape {
        inputs: 2,
        classes: 2,
    };

    /// `d` features and `k` classes, if within the capacities ([`MAX_INPUTS`], [`MAX_CLASSES`]).
    pub const fn new(inputs: usize, classes: usize) -> Result<Shape, ShapeError> {
        if inputs == 0 || inputs > MAX_INPUTS || classes < MIN_CLASSES || classes > MAX_CLASSES {
            return Err(ShapeError { inputs, classes });
        }
        Ok(Shape {
            inputs: inputs as u8,
            classes: classes as u8,
        })
    }

    /// Input features (`d`).
    pub const fn inputs(&self) -> usize {
        self.inputs as usize
    }

    /// Classes, hence output logits (`k`).
    pub const fn classes(&self) -> usize {
        self.classes as usize
    }
}

impl Default for Shape {
    fn default() -> Self {
        Self::MOONS
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} features, {} classes", self.inputs, self.classes)
    }
}
/// Token vocabulary size (five widths, four activations, EOS).
pub const VOCAB: usize = 10;
/// The most linear layers in a child: every token a width, plus the output layer.
pub const MAX_LINEAR: usize = MAX_TOKENS + 1;

/// A hidden-unit nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `tanh x`.
    Tanh,
    /// `max(x, 0)`.
    Relu,
    /// `x` for `x > 0`, else `0.01 x` (PyTorch's default slope).
    LeakyRelu,
}

/// The slope of [`Activation::LeakyRelu`] for negative inputs (PyTorch's default).
pub const LEAKY_SLOPE: f32 = 0.01;

impl Activation {
    /// The activation of `x`, as the child networks compute it (the one definition: the
    /// training loop and every export use it).
    #[inline(always)]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Sigmoid => crate::math::act_sigmoid(x),
            Activation::Tanh => crate::math::act_tanh(x),
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
        }
    }
}

/// One controller action. The discriminant is the token's index in the controller's output
/// (and their order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Token {
    /// Linear layer to 1 unit.
    W1 = 0,
    /// Linear layer to 2 units.
    W2 = 1,
    /// Linear layer to 4 units.
    W4 = 2,
    /// Linear layer to 8 units.
    W8 = 3,
    /// Linear layer to 16 units.
    W16 = 4,
    /// Sigmoid activation.
    Sigmoid = 5,
    /// Tanh activation.
    Tanh = 6,
    /// ReLU activation.
    Relu = 7,
    /// LeakyReLU activation.
    LeakyRelu = 8,
    /// End of sequence.
    Eos = 9,
}

/// A token sequence that is not a valid architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// A token index outside `0..VOCAB`.
    UnknownIndex {
        /// Position in the sequence.
        position: usize,
        /// The offending index.
        index: u8,
    },
    /// A token name that is none of `1 2 4 8 16 Sigmoid Tanh ReLU LeakyReLU EOS`.
    UnknownName {
        /// Position in the list (0-based).
        position: usize,
    },
    /// More than [`MAX_TOKENS`] tokens before EOS.
    TooLong,
    /// A token after EOS.
    AfterEos {
        /// Position of the first token after EOS.
        position: usize,
    },
    /// Text that is not of the form `[t, t, …]`.
    Syntax,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::UnknownIndex { position, index } => write!(
                f,
                "token {position} has index {index}, but token indices are 0..{VOCAB}"
            ),
            Self::UnknownName { position } => write!(
                f,
                "token {position} is not one of 1, 2, 4, 8, 16, Sigmoid, Tanh, ReLU, LeakyReLU, EOS"
            ),
            Self::TooLong => write!(f, "more than {MAX_TOKENS} tokens"),
            Self::AfterEos { position } => write!(f, "token {position} follows EOS"),
            Self::Syntax => write!(f, "expected a list like [16, Tanh, 8, ReLU]"),
        }
    }
}

impl core::error::Error for TokenError {}

impl Token {
    /// All tokens, in index order.
    pub const ALL: [Token; VOCAB] = [
        Token::W1,
        Token::W2,
        Token::W4,
        Token::W8,
        Token::W16,
        Token::Sigmoid,
        Token::Tanh,
        Token::Relu,
        Token::LeakyRelu,
        Token::Eos,
    ];

    /// The token with controller index `index`.
    pub fn from_index(index: u8) -> Option<Token> {
        Self::ALL.get(usize::from(index)).copied()
    }

    /// This token's controller index.
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The layer width, for a width token.
    pub fn width(self) -> Option<usize> {
        match self {
            Token::W1 => Some(1),
            Token::W2 => Some(2),
            Token::W4 => Some(4),
            Token::W8 => Some(8),
            Token::W16 => Some(16),
            _ => None,
        }
    }

    /// The nonlinearity, for an activation token.
    pub fn activation(self) -> Option<Activation> {
        match self {
            Token::Sigmoid => Some(Activation::Sigmoid),
            Token::Tanh => Some(Activation::Tanh),
            Token::Relu => Some(Activation::Relu),
            Token::LeakyRelu => Some(Activation::LeakyRelu),
            _ => None,
        }
    }

    /// The name used in [`Arch`]'s `Display` (and accepted by its `FromStr`).
    pub fn name(self) -> &'static str {
        const NAMES: [&str; VOCAB] = [
            "1",
            "2",
            "4",
            "8",
            "16",
            "Sigmoid",
            "Tanh",
            "ReLU",
            "LeakyReLU",
            "EOS",
        ];
        NAMES[usize::from(self.index())]
    }
}

/// A child architecture: up to [`MAX_TOKENS`] non-EOS tokens. `Copy`, 7 bytes.
///
/// Unused slots always hold `Eos`, so the derived equality and hash compare architectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Arch {
    tokens: [Token; MAX_TOKENS],
    len: u8,
}

impl Default for Arch {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Arch {
    /// The empty architecture: just the output layer, `Linear(2, 2)`.
    pub const EMPTY: Arch = Arch {
        tokens: [Token::Eos; MAX_TOKENS],
        len: 0,
    };

    /// `[1]`: one hidden unit, the smallest network with a hidden layer.
    pub const ONE: Arch = {
        let mut tokens = [Token::Eos; MAX_TOKENS];
        tokens[0] = Token::W1;
        Arch { tokens, len: 1 }
    };

    /// The architecture of `tokens` (which must not contain EOS).
    pub fn new(tokens: &[Token]) -> Result<Arch, TokenError> {
        let mut arch = Arch::EMPTY;
        for (position, &t) in tokens.iter().enumerate() {
            if t == Token::Eos {
                return Err(TokenError::AfterEos {
                    position: position + 1,
                });
            }
            arch.push(t)?;
        }
        Ok(arch)
    }

    /// Appends a non-EOS token.
    pub(crate) fn push(&mut self, t: Token) -> Result<(), TokenError> {
        let slot = self
            .tokens
            .get_mut(usize::from(self.len))
            .ok_or(TokenError::TooLong)?;
        *slot = t;
        self.len += 1;
        Ok(())
    }

    /// The tokens, without EOS.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens[..usize::from(self.len)]
    }

    /// Number of tokens (without EOS).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether this is the bare output layer.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The controller's actions that produce this architecture: its tokens, then EOS if there
    /// is room (a sequence of [`MAX_TOKENS`] tokens ends without one).
    pub fn actions(&self) -> heapless::Vec<Token, MAX_TOKENS> {
        let mut out: heapless::Vec<Token, MAX_TOKENS> = heapless::Vec::new();
        for &t in self.tokens() {
            let _ = out.push(t); // at most MAX_TOKENS tokens by construction
        }
        let _ = out.push(Token::Eos); // rejected exactly when the sequence is full
        out
    }

    /// Encodes as controller indices (see [`Arch::actions`]).
    pub fn encode(&self) -> heapless::Vec<u8, MAX_TOKENS> {
        self.actions().iter().map(|t| t.index()).collect()
    }

    /// Decodes controller indices: tokens up to EOS (or [`MAX_TOKENS`] tokens without one).
    /// Anything after EOS, an unknown index or a seventh token is an error. Never panics, for
    /// any bytes (fuzzed: tests/fuzz).
    pub fn decode(indices: &[u8]) -> Result<Arch, TokenError> {
        let mut arch = Arch::EMPTY;
        for (position, &index) in indices.iter().enumerate() {
            let t = Token::from_index(index).ok_or(TokenError::UnknownIndex { position, index })?;
            if t == Token::Eos {
                if position + 1 < indices.len() {
                    return Err(TokenError::AfterEos {
                        position: position + 1,
                    });
                }
                break;
            }
            arch.push(t)?;
        }
        Ok(arch)
    }

    /// The width of each linear layer's output, in order, ending with the class count.
    pub fn linear_widths(&self, shape: Shape) -> heapless::Vec<usize, MAX_LINEAR> {
        let mut out: heapless::Vec<usize, MAX_LINEAR> =
            self.tokens().iter().filter_map(|t| t.width()).collect();
        let _ = out.push(shape.classes()); // at most MAX_TOKENS widths, so there is room
        out
    }

    /// Trainable parameters (weights and biases) of the child on data of `shape`.
    pub fn parameter_count(&self, shape: Shape) -> usize {
        let mut fan_in = shape.inputs();
        let mut total = 0;
        for w in self.linear_widths(shape) {
            total += (fan_in + 1) * w;
            fan_in = w;
        }
        total
    }

    /// Multiply-adds of one forward pass for one sample (linear layers only).
    pub fn forward_macs(&self, shape: Shape) -> usize {
        let mut fan_in = shape.inputs();
        let mut total = 0;
        for w in self.linear_widths(shape) {
            total += fan_in * w;
            fan_in = w;
        }
        total
    }
}

impl Arch {
    /// The largest architecture (six 16-unit layers): the most parameters and multiply-adds.
    pub const LARGEST: Arch = Arch {
        tokens: [Token::W16; MAX_TOKENS],
        len: MAX_TOKENS as u8,
    };

    /// The architecture's `cost` on data of `shape`, normalised so that [`Arch::LARGEST`] costs
    /// 1 (on the moons the empty architecture, a linear classifier, costs 4/1344 in
    /// multiply-adds).
    pub fn cost(&self, cost: Cost, shape: Shape) -> f32 {
        let (mine, most) = match cost {
            Cost::Macs => (self.forward_macs(shape), Arch::LARGEST.forward_macs(shape)),
            Cost::Params => (
                self.parameter_count(shape),
                Arch::LARGEST.parameter_count(shape),
            ),
        };
        mine as f32 / most as f32
    }
}

/// How many architectures there are: token sequences of 0 to [`MAX_TOKENS`] non-EOS tokens
/// (Σ 9ᴸ = 597,871).
pub const ARCH_COUNT: u32 = {
    let (mut total, mut power, mut len) = (0u32, 1u32, 0);
    while len <= MAX_TOKENS {
        total += power;
        power *= (VOCAB - 1) as u32;
        len += 1;
    }
    total
};

impl Arch {
    /// Architecture number `n` of [`ARCH_COUNT`] (shorter ones first, then base-9 digits):
    /// drawing `n` uniformly draws an architecture uniformly. `n` is taken modulo the count.
    pub fn nth(n: u32) -> Arch {
        let mut rest = n % ARCH_COUNT;
        let mut arch = Arch::EMPTY;
        let mut count = 1u32; // architectures of the current length
        for _ in 0..=MAX_TOKENS {
            if rest < count {
                break;
            }
            rest -= count;
            count *= (VOCAB - 1) as u32;
            // Length grows: fill a placeholder slot, overwritten with the digits below.
            let _ = arch.push(Token::W1);
        }
        for slot in arch.tokens.iter_mut().take(usize::from(arch.len)) {
            let digit = (rest % (VOCAB - 1) as u32) as u8;
            rest /= (VOCAB - 1) as u32;
            *slot = Token::ALL[usize::from(digit)];
        }
        arch
    }
}

impl Arch {
    /// This architecture's number: the `n` for which [`Arch::nth`] gives it back, below
    /// [`ARCH_COUNT`] (4 bytes where a search stores many architectures).
    pub fn number(&self) -> u32 {
        let base = (VOCAB - 1) as u32;
        // The architectures shorter than this one come first…
        let (mut shorter, mut count) = (0u32, 1u32);
        for _ in 0..self.len() {
            shorter += count;
            count *= base;
        }
        // …then this length's, by base-9 digits, the first token the lowest digit.
        let digits = self
            .tokens()
            .iter()
            .rev()
            .fold(0u32, |n, t| n * base + u32::from(t.index()));
        shorter + digits
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, t) in self.tokens().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(t.name())?;
        }
        f.write_str("]")
    }
}

impl FromStr for Arch {
    type Err = TokenError;

    /// Parses the `Display` form, e.g. `[16, Tanh, 8, ReLU]` (names are case-insensitive;
    /// a trailing `EOS` is accepted). Never panics, for any text (fuzzed).
    fn from_str(s: &str) -> Result<Arch, TokenError> {
        let inner = s
            .trim()
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .ok_or(TokenError::Syntax)?;
        let mut indices: heapless::Vec<u8, { MAX_TOKENS + 1 }> = heapless::Vec::new();
        if !inner.trim().is_empty() {
            for (position, name) in inner.split(',').enumerate() {
                let name = name.trim();
                let t = Token::ALL
                    .iter()
                    .find(|t| t.name().eq_ignore_ascii_case(name))
                    .ok_or(TokenError::UnknownName { position })?;
                indices.push(t.index()).map_err(|_| TokenError::TooLong)?;
            }
        }
        Arch::decode(&indices)
    }
}

/// What a resource-aware search charges an architecture for (see
/// [`SearchConfig::cost_weight`](crate::config::SearchConfig::cost_weight)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cost {
    /// Multiply-adds of one forward pass ([`Arch::forward_macs`]): inference time.
    #[default]
    Macs,
    /// Trainable parameters ([`Arch::parameter_count`]): flash or RAM for the weights.
    Params,
}

impl Cost {
    /// The lower-case name used on command lines, in files and in the page.
    pub const fn name(self) -> &'static str {
        match self {
            Cost::Macs => "macs",
            Cost::Params => "params",
        }
    }

    /// The cost called `name` ([`Cost::name`]), if any.
    pub fn from_name(name: &str) -> Option<Cost> {
        [Cost::Macs, Cost::Params]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let arch = Arch::new(&[Token::W16, Token::Tanh, Token::W8, Token::Relu]).unwrap();
        assert_eq!(format!("{arch}"), "[16, Tanh, 8, ReLU]");
        assert_eq!("[16, tanh, 8, RELU]".parse::<Arch>(), Ok(arch));
        assert_eq!("[]".parse::<Arch>(), Ok(Arch::EMPTY));
        assert_eq!(format!("{}", Arch::EMPTY), "[]");
    }

    #[test]
    fn encode_decode_round_trip_including_full_length() {
        let full = Arch::new(&[Token::W16; MAX_TOKENS]).unwrap();
        assert_eq!(full.encode().as_slice(), &[4, 4, 4, 4, 4, 4]);
        assert_eq!(Arch::decode(&full.encode()), Ok(full));
        let short = Arch::new(&[Token::LeakyRelu, Token::W1]).unwrap();
        assert_eq!(short.encode().as_slice(), &[8, 0, 9]);
        assert_eq!(Arch::decode(&short.encode()), Ok(short));
        assert_eq!(Arch::decode(&[9]), Ok(Arch::EMPTY));
        assert_eq!(Arch::decode(&[]), Ok(Arch::EMPTY));
    }

    #[test]
    fn bad_sequences_are_typed_errors() {
        let cases: [(&[u8], TokenError); 3] = [
            (
                &[0, 10],
                TokenError::UnknownIndex {
                    position: 1,
                    index: 10,
                },
            ),
            (&[0, 0, 0, 0, 0, 0, 0], TokenError::TooLong),
            (&[0, 9, 1], TokenError::AfterEos { position: 2 }),
        ];
        for (indices, want) in cases {
            assert_eq!(Arch::decode(indices), Err(want), "decode({indices:?})");
        }
        assert_eq!("16, Tanh".parse::<Arch>(), Err(TokenError::Syntax));
        assert_eq!(
            "[16, Tan]".parse::<Arch>(),
            Err(TokenError::UnknownName { position: 1 })
        );
        assert_eq!(
            Arch::new(&[Token::W1, Token::Eos]),
            Err(TokenError::AfterEos { position: 2 })
        );
    }

    #[test]
    fn numbering_covers_every_architecture_once() {
        assert_eq!(ARCH_COUNT, 1 + 9 + 81 + 729 + 6561 + 59049 + 531441);
        assert_eq!(Arch::nth(0), Arch::EMPTY);
        assert_eq!(Arch::nth(1).to_string(), "[1]");
        assert_eq!(Arch::nth(9).to_string(), "[LeakyReLU]");
        assert_eq!(Arch::nth(10).to_string(), "[1, 1]");
        assert_eq!(Arch::nth(ARCH_COUNT - 1).len(), MAX_TOKENS);
        // Distinct numbers give distinct architectures (checked over a stride of the range).
        let mut seen = std::collections::HashSet::new();
        for n in (0..ARCH_COUNT).step_by(97) {
            assert!(seen.insert(Arch::nth(n)), "{n}");
        }
        // Every architecture's number gives it back: the numbering is a bijection.
        for n in 0..ARCH_COUNT {
            assert_eq!(Arch::nth(n).number(), n);
        }
    }

    #[test]
    fn sizes_follow_the_layer_widths() {
        let arch: Arch = "[16, Tanh, 8, ReLU]".parse().unwrap();
        assert_eq!(arch.linear_widths(Shape::MOONS).as_slice(), &[16, 8, 2]);
        let m = Shape::MOONS;
        assert_eq!(arch.parameter_count(m), 3 * 16 + 17 * 8 + 9 * 2);
        assert_eq!(arch.forward_macs(m), 2 * 16 + 16 * 8 + 8 * 2);
        assert_eq!(Arch::EMPTY.parameter_count(m), 6);
        // Wine: 13 features, 3 classes.
        let wine = Shape::new(13, 3).unwrap();
        assert_eq!(arch.linear_widths(wine).as_slice(), &[16, 8, 3]);
        assert_eq!(arch.parameter_count(wine), 14 * 16 + 17 * 8 + 9 * 3);
        assert_eq!(arch.forward_macs(wine), 13 * 16 + 16 * 8 + 8 * 3);
        assert_eq!(Arch::EMPTY.parameter_count(wine), 14 * 3);
    }

    #[test]
    fn costs_are_normalised_to_the_largest_network() {
        let m = Shape::MOONS;
        assert_eq!(Arch::LARGEST.forward_macs(m), 2 * 16 + 5 * 16 * 16 + 16 * 2);
        let widest = Shape::new(MAX_INPUTS, MAX_CLASSES).unwrap();
        assert_eq!(
            Arch::LARGEST.parameter_count(widest),
            crate::mlp::MAX_PARAMS
        );
        for shape in [m, widest] {
            for cost in [Cost::Macs, Cost::Params] {
                assert_eq!(Arch::LARGEST.cost(cost, shape), 1.0);
                for n in (0..ARCH_COUNT).step_by(1009) {
                    let c = Arch::nth(n).cost(cost, shape);
                    assert!(c > 0.0 && c <= 1.0, "{} costs {c}", Arch::nth(n));
                }
            }
        }
        let small: Arch = "[4, Tanh]".parse().unwrap();
        assert_eq!(small.cost(Cost::Macs, m), (2.0 * 4.0 + 4.0 * 2.0) / 1344.0);
    }

    #[test]
    fn shapes_are_checked_against_the_capacities() {
        assert_eq!(Shape::new(2, 2), Ok(Shape::MOONS));
        assert_eq!(Shape::default(), Shape::MOONS);
        let widest = Shape::new(MAX_INPUTS, MAX_CLASSES).unwrap();
        assert_eq!(
            (widest.inputs(), widest.classes()),
            (MAX_INPUTS, MAX_CLASSES)
        );
        for (d, k) in [(0, 2), (MAX_INPUTS + 1, 2), (2, 1), (2, MAX_CLASSES + 1)] {
            let e = Shape::new(d, k).unwrap_err();
            assert_eq!((e.inputs, e.classes), (d, k));
            let text = e.to_string();
            let (fs, cs) = (
                if d == 1 { "" } else { "s" },
                if k == 1 { "" } else { "es" },
            );
            let want = format!("{d} feature{fs} and {k} class{cs}, but this build takes");
            assert!(text.starts_with(&want), "{text}");
        }
    }
}
