//! Regularized (aging) evolution (Real et al. 2019): the second way to propose architectures.
//!
//! The search keeps a population of the last [`SearchConfig::population`] architectures it
//! evaluated, with their rewards. Until it is full, each proposal is uniformly random (as
//! random search draws). After that, each proposal samples [`SearchConfig::tournament`]
//! members (uniformly, with replacement), takes the one with the best reward (the first drawn
//! on a tie) and [`mutate`]s it; its reward then joins the population and the *oldest* member
//! leaves, whatever its reward. The aging is the regularisation: an architecture survives
//! only by being re-discovered, so one lucky reward cannot hold the population for long.
//!
//! All of it is fixed-size ([`MAX_POPULATION`] members of 8 bytes), deterministic for a seed
//! (every draw comes from the search's own stream), and checkpointed with the search.
//!
//! [`SearchConfig::population`]: crate::SearchConfig::population
//! [`SearchConfig::tournament`]: crate::SearchConfig::tournament

use rand_core::Rng;

use crate::arch::{ARCH_COUNT, Arch, MAX_TOKENS, Token, VOCAB};
use crate::checkpoint::{CheckpointError, Reader, Writer};
use crate::rng;

pub use crate::config::MAX_POPULATION;

/// The population: a ring of the last `capacity` evaluated architectures, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Each member's architecture as its number ([`Arch::number`]).
    archs: [u32; MAX_POPULATION],
    /// Each member's reward.
    rewards: [f32; MAX_POPULATION],
    /// Members held (up to `capacity`).
    len: u8,
    /// The oldest member's slot, once the ring is full.
    head: u8,
    capacity: u8,
}

impl Population {
    /// An empty population of up to `capacity` members (clamped to 1..=[`MAX_POPULATION`]).
    pub const fn new(capacity: usize) -> Self {
        let capacity = if capacity == 0 {
            1
        } else if capacity > MAX_POPULATION {
            MAX_POPULATION
        } else {
            capacity
        };
        Population {
            archs: [0; MAX_POPULATION],
            rewards: [0.0; MAX_POPULATION],
            len: 0,
            head: 0,
            capacity: capacity as u8,
        }
    }

    /// Members held.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Member `i`, oldest first (`None` past the end).
    pub fn get(&self, i: usize) -> Option<(Arch, f32)> {
        if i >= self.len() {
            return None;
        }
        let slot = (usize::from(self.head) + i) % usize::from(self.capacity);
        Some((Arch::nth(self.archs[slot]), self.rewards[slot]))
    }

    /// Adds an evaluated architecture; when full, the oldest member leaves.
    pub fn add(&mut self, arch: &Arch, reward: f32) {
        let capacity = usize::from(self.capacity);
        let slot = if self.len() < capacity {
            self.len += 1;
            self.len() - 1
        } else {
            let oldest = usize::from(self.head);
            self.head = ((oldest + 1) % capacity) as u8;
            oldest
        };
        self.archs[slot] = arch.number();
        self.rewards[slot] = reward;
    }

    /// The next architecture to evaluate: uniformly random while the population is not full,
    /// else the best of `tournament` members drawn with replacement, mutated.
    pub fn propose(&self, tournament: usize, rng: &mut impl Rng) -> Arch {
        if self.len() < usize::from(self.capacity) {
            return Arch::nth(rng::below(rng, ARCH_COUNT));
        }
        let len = self.len as u32;
        let mut best = (Arch::EMPTY, f32::NEG_INFINITY);
        for _ in 0..tournament.max(1) {
            let i = rng::below(rng, len) as usize;
            let slot = (usize::from(self.head) + i) % usize::from(self.capacity);
            if self.rewards[slot] > best.1 {
                best = (Arch::nth(self.archs[slot]), self.rewards[slot]);
            }
        }
        mutate(&best.0, rng)
    }

    /// Writes the population: capacity, length and head, then every slot (number, reward).
    pub(crate) fn save(&self, w: &mut Writer<'_>) {
        w.u8(self.capacity);
        w.u8(self.len);
        w.u8(self.head);
        for (&arch, &reward) in self.archs.iter().zip(&self.rewards) {
            w.u32(arch);
            w.f32(reward);
        }
    }

    /// Reads and checks [`Population::save`]'s bytes for a population of `capacity`.
    pub(crate) fn read(r: &mut Reader<'_>, capacity: usize) -> Result<Population, CheckpointError> {
        let mut p = Population::new(capacity);
        let (cap, len, head) = (r.u8(), r.u8(), r.u8());
        if cap != p.capacity || len > cap || (head != 0 && (len < cap || head >= cap)) {
            return Err(CheckpointError::Corrupt("population"));
        }
        p.len = len;
        p.head = head;
        for slot in 0..MAX_POPULATION {
            let (arch, reward) = (r.u32(), r.f32());
            if slot < usize::from(len) && (arch >= ARCH_COUNT || !reward.is_finite()) {
                return Err(CheckpointError::Corrupt("population member"));
            }
            p.archs[slot] = arch;
            p.rewards[slot] = reward;
        }
        Ok(p)
    }

    /// Bytes of [`Population::save`]'s output.
    pub(crate) const SAVED_LEN: usize = 3 + MAX_POPULATION * 8;
}

/// `parent` changed by one edit, drawn from `rng`: one of replacing a token by another,
/// inserting a token, or deleting one, uniformly among the edits the length allows (an
/// empty architecture can only grow, a full one cannot), each at a uniform position and with
/// a uniform new token. The result always differs from `parent`.
pub fn mutate(parent: &Arch, rng: &mut impl Rng) -> Arch {
    let tokens = parent.tokens();
    let len = tokens.len();
    // Edits the length allows: 0 replace, 1 insert, 2 delete.
    let mut edits = heapless::Vec::<u8, 3>::new();
    if len > 0 {
        let _ = edits.push(0);
    }
    if len < MAX_TOKENS {
        let _ = edits.push(1);
    }
    if len > 0 {
        let _ = edits.push(2);
    }
    let edit = edits[rng::below(rng, edits.len() as u32) as usize];
    let token = |rng: &mut dyn FnMut(u32) -> u32, other: Option<Token>| -> Token {
        // A uniform non-EOS token, or one of the other eight when replacing `other`.
        match other {
            Some(t) => {
                let i = rng(VOCAB as u32 - 2) as u8;
                let i = if i >= t.index() { i + 1 } else { i };
                Token::ALL[usize::from(i)]
            }
            None => Token::ALL[rng(VOCAB as u32 - 1) as usize],
        }
    };
    let mut draw = |n: u32| rng::below(rng, n);
    let mut out = heapless::Vec::<Token, MAX_TOKENS>::new();
    match edit {
        0 => {
            let at = draw(len as u32) as usize;
            for (i, &t) in tokens.iter().enumerate() {
                let t = if i == at {
                    token(&mut draw, Some(t))
                } else {
                    t
                };
                let _ = out.push(t);
            }
        }
        1 => {
            let at = draw(len as u32 + 1) as usize;
            let new = token(&mut draw, None);
            for (i, &t) in tokens.iter().enumerate() {
                if i == at {
                    let _ = out.push(new);
                }
                let _ = out.push(t);
            }
            if at == len {
                let _ = out.push(new);
            }
        }
        _ => {
            let at = draw(len as u32) as usize;
            for (i, &t) in tokens.iter().enumerate() {
                if i != at {
                    let _ = out.push(t);
                }
            }
        }
    }
    // Never fails: at most MAX_TOKENS non-EOS tokens by construction.
    Arch::new(&out).unwrap_or(*parent)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use std::collections::HashMap;

    fn arch(s: &str) -> Arch {
        s.parse().unwrap()
    }

    /// Whether `child` is `parent` with one token replaced, inserted or deleted.
    pub(crate) fn one_edit(parent: &Arch, child: &Arch) -> bool {
        let (p, c) = (parent.tokens(), child.tokens());
        let without = |long: &[Token], short: &[Token]| {
            (0..long.len()).any(|i| {
                let mut v = long.to_vec();
                v.remove(i);
                v == short
            })
        };
        match c.len() as i64 - p.len() as i64 {
            0 => p.iter().zip(c).filter(|(a, b)| a != b).count() == 1,
            1 => without(c, p),
            -1 => without(p, c),
            _ => false,
        }
    }

    #[test]
    fn a_mutant_is_one_edit_away_and_every_edit_happens() {
        let mut rng = stream(3, Stream::Controller, 0);
        let mut kinds = HashMap::new();
        for parent in ["[]", "[16]", "[8, Tanh, 4]", "[16, 16, 16, 16, 16, 16]"] {
            let parent = arch(parent);
            for _ in 0..2000 {
                let child = mutate(&parent, &mut rng);
                assert!(one_edit(&parent, &child), "{parent} -> {child}");
                let kind = match child.len() as i64 - parent.len() as i64 {
                    0 => "replace",
                    1 => "insert",
                    _ => "delete",
                };
                *kinds.entry((parent.len(), kind)).or_insert(0) += 1;
            }
        }
        // The empty architecture only grows, a full one never does; in between, the three
        // edits are equally likely (2000 draws: 667 each, ± 5 sd).
        assert_eq!(kinds[&(0, "insert")], 2000);
        assert!(!kinds.contains_key(&(6, "insert")));
        for kind in ["replace", "insert", "delete"] {
            let n = kinds[&(3, kind)];
            assert!((560..780).contains(&n), "{kind}: {n}");
        }
        assert!((900..1100).contains(&kinds[&(6, "replace")]));
    }

    #[test]
    fn a_replaced_or_inserted_token_is_uniform() {
        // From [4], replacing gives each of the other 8 tokens; inserting each of the 9.
        let mut rng = stream(5, Stream::Controller, 0);
        let parent = arch("[4]");
        let mut seen = HashMap::new();
        for _ in 0..18_000 {
            *seen.entry(mutate(&parent, &mut rng)).or_insert(0) += 1;
        }
        // 8 replacements, 9 + 9 insertions before or after ([4, 4] twice), 1 deletion: 26
        // distinct children, each edit kind a third.
        assert_eq!(seen.len(), 8 + 17 + 1);
        assert!((5500..6500).contains(&seen[&Arch::EMPTY]));
        for t in Token::ALL
            .iter()
            .take(VOCAB - 1)
            .filter(|t| **t != Token::W4)
        {
            let n = seen[&Arch::new(&[*t]).unwrap()];
            assert!((600..900).contains(&n), "{t:?}: {n}");
        }
    }

    #[test]
    fn the_population_ages_out_its_oldest_member() {
        let mut p = Population::new(3);
        assert!(p.is_empty());
        for (i, a) in ["[1]", "[2]", "[4]", "[8]", "[16]"].iter().enumerate() {
            p.add(&arch(a), i as f32);
        }
        let members: Vec<(Arch, f32)> = (0..p.len()).filter_map(|i| p.get(i)).collect();
        assert_eq!(
            members,
            vec![(arch("[4]"), 2.0), (arch("[8]"), 3.0), (arch("[16]"), 4.0)]
        );
        assert_eq!(p.get(3), None);
        assert_eq!(Population::new(0).capacity, 1);
        assert_eq!(Population::new(1000).capacity as usize, MAX_POPULATION);
    }

    #[test]
    fn until_full_proposals_are_uniform_then_mutants_of_tournament_winners() {
        let mut rng = stream(9, Stream::Controller, 0);
        let mut p = Population::new(4);
        // Not full: uniform, so almost always six tokens (88.9 %).
        let six = (0..1000)
            .filter(|_| p.propose(2, &mut rng).len() == MAX_TOKENS)
            .count();
        assert!((850..930).contains(&six), "{six}");
        // Full: one member far better than the rest; a tournament of all (with replacement)
        // nearly always draws it, so the proposals are its mutants.
        let parent = "[Tanh, Tanh, 16, Tanh]";
        for (a, r) in [("[1]", 0.1), (parent, 0.9), ("[2]", 0.1), ("[4]", 0.1)] {
            p.add(&arch(a), r);
        }
        let parent = arch(parent);
        let near = (0..1000)
            .filter(|_| one_edit(&parent, &p.propose(16, &mut rng)))
            .count();
        // 1 − 0.75¹⁶ = 99 % of tournaments hold the best member (the others' mutants have at
        // most two tokens, so they are never one edit from it).
        assert!(near > 970, "{near}");
        // A tournament of one is a uniform pick: each member's mutants about a quarter.
        let from_best = (0..4000)
            .filter(|_| one_edit(&parent, &p.propose(1, &mut rng)))
            .count();
        assert!((880..1120).contains(&from_best), "{from_best}");
    }

    #[test]
    fn a_saved_population_reads_back_and_damage_is_refused() {
        let mut p = Population::new(5);
        for (i, a) in ["[1]", "[2]", "[4]", "[8]", "[16]", "[Tanh]", "[ReLU]"]
            .iter()
            .enumerate()
        {
            p.add(&arch(a), i as f32 / 10.0);
        }
        let mut buf = [0u8; Population::SAVED_LEN];
        let mut w = Writer::new(&mut buf);
        p.save(&mut w);
        assert_eq!(w.written(), Population::SAVED_LEN);
        let back = Population::read(&mut Reader::new(&buf), 5).unwrap();
        assert_eq!(back, p);
        assert!(
            Population::read(&mut Reader::new(&buf), 4).is_err(),
            "capacity"
        );
        let mut bad = buf;
        bad[1] = 6; // more members than room
        assert!(Population::read(&mut Reader::new(&bad), 5).is_err());
        let mut bad = buf;
        bad[3..7].copy_from_slice(&ARCH_COUNT.to_le_bytes()); // no such architecture
        assert!(Population::read(&mut Reader::new(&bad), 5).is_err());
    }
}
