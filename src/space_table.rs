//! The whole space, trained: one row per canonical architecture (the core's `space`), each
//! trained under a search's own reward protocol, once per child seed. The table answers
//! exactly what a search only samples: the best network there is for the data, and where any
//! architecture ranks.
//!
//! ## What a row is
//! Architecture `a` with child seed `j` is scored as a search scores rollout number
//! `a.number()` of a search whose seed is `config.seed + j` (`search::evaluate`: the reward
//! folds, metric, epochs and patience of `config`). So the outcome depends on the
//! architecture, the seed and the settings only: not on the threads, the shard or the order
//! of training, and a table's bits are the same however it is made.
//!
//! ## The bytes
//! Little-endian: the header ([`HEADER_BYTES`]: magic `piconasT`, version, child seeds, the
//! longest sequences, the shard's index and count, the settings' and the data's fingerprints),
//! then fixed-size rows in increasing architecture number: the number (`u32`), then per
//! child seed the reward (`f32`), epochs and best epoch (`u32`) and whether training diverged
//! (`u8`). A file cut short by a kill ends in a partial row, which [`Table::decode`] leaves
//! out; anything else that does not check is refused, naming what.

use crate::memory::Memory;
use piconas_core::arch::{ARCH_COUNT, MAX_TOKENS};
use piconas_core::search::{self, Proposal};
use piconas_core::{Arch, Fingerprint, Outcome, SearchConfig, Shape, Split, space};

/// The first bytes of a table.
pub const MAGIC: [u8; 8] = *b"piconasT";
/// The version of the bytes.
pub const VERSION: u32 = 1;
/// The header's length.
pub const HEADER_BYTES: usize = 8 + 4 * 5 + 8 + 8;
/// The most child seeds a table trains each architecture with.
pub const MAX_SEEDS: u32 = 16;

/// One part of a table made in parts: the architectures at positions `index`, `index +
/// count`, … of the canonical order (interleaved, so that every part has long and short
/// sequences alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This part, from 0.
    pub index: u32,
    /// The parts.
    pub count: u32,
}

impl Shard {
    /// The whole table in one part.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// `I/N` (`0/4` … `3/4`), or why not.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not I/N"))?;
        let (index, count) = (i.trim().parse::<u32>(), n.trim().parse::<u32>());
        match (index, count) {
            (Ok(index), Ok(count)) if count >= 1 && index < count => Ok(Shard { index, count }),
            _ => Err(format!(
                "{text:?} is not I/N with N at least 1 and I from 0 to N - 1"
            )),
        }
    }

    /// Whether the architecture at `position` of the canonical order is this part's.
    pub fn holds(&self, position: usize) -> bool {
        position % self.count as usize == self.index as usize
    }
}

/// What a table was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Child seeds each architecture is trained with.
    pub seeds: u32,
    /// The longest sequences held (tokens; [`MAX_TOKENS`] for the whole space).
    pub max_tokens: u32,
    /// The part held.
    pub shard: Shard,
    /// The fingerprint of the settings the rows were trained under.
    pub settings: u64,
    /// The fingerprint of the data.
    pub data: Fingerprint,
}

impl Header {
    /// The header of a table (or shard) of `data` trained under `settings`: `seeds` child
    /// seeds, sequences of at most `max_tokens` tokens, the part `shard`; the fingerprints of
    /// the settings that reach a row ([`settings_fingerprint`]) and of the data.
    pub fn of(
        settings: &piconas_core::Settings,
        data: &crate::data::Dataset,
        (seeds, max_tokens, shard): (u32, u32, Shard),
    ) -> Header {
        Header {
            seeds,
            max_tokens,
            shard,
            settings: settings_fingerprint(settings, data),
            data: data.fingerprint,
        }
    }

    /// The bytes of one row.
    pub fn row_bytes(&self) -> usize {
        4 + 13 * self.seeds as usize
    }

    /// The header's bytes.
    pub fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        out[..8].copy_from_slice(&MAGIC);
        let words = [
            VERSION,
            self.seeds,
            self.max_tokens,
            self.shard.index,
            self.shard.count,
        ];
        for (i, w) in words.iter().enumerate() {
            out[8 + 4 * i..12 + 4 * i].copy_from_slice(&w.to_le_bytes());
        }
        out[28..36].copy_from_slice(&self.settings.to_le_bytes());
        out[36..44].copy_from_slice(&self.data.0.to_le_bytes());
        out
    }

    /// The architectures this table holds, in order: the canonical ones of at most
    /// `max_tokens` tokens, this shard's part.
    pub fn archs(&self) -> impl Iterator<Item = Arch> + use<> {
        let (max, shard) = (self.max_tokens as usize, self.shard);
        space::canonical_numbers()
            .map(Arch::nth)
            .take_while(move |a| a.len() <= max)
            .enumerate()
            .filter(move |(i, _)| shard.holds(*i))
            .map(|(_, a)| a)
    }
}

/// The fingerprint of the settings a table's rows are trained under: the settings that reach
/// a child's outcome ([`piconas_core::Setting::reaches_the_outcome`]: the child's training
/// and scoring, the seed, the reward's folds) and whether `data` is standardised, as
/// `name=value;` text. The data's own fingerprint is the header's other half; the search's
/// other settings (strategy, controller, cost, finalists, rollouts) do not change a row, so
/// searches of any of them read the table, and shards made with them join.
pub fn settings_fingerprint(settings: &piconas_core::Settings, data: &crate::data::Dataset) -> u64 {
    let mut text = String::new();
    for s in piconas_core::SETTINGS
        .iter()
        .filter(|s| s.reaches_the_outcome())
    {
        text.push_str(&format!("{}={};", s.name, s.get(settings)));
    }
    text.push_str(&format!("standardised={};", data.scaling.is_some()));
    Fingerprint::START.and(text.as_bytes()).0
}

/// One architecture trained: its number and each child seed's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The architecture's number ([`Arch::number`]).
    pub number: u32,
    /// Child seed `j`'s outcome at `j`.
    pub outcomes: Vec<Outcome>,
}

impl Row {
    /// The architecture.
    pub fn arch(&self) -> Arch {
        Arch::nth(self.number)
    }

    /// The mean reward over the child seeds.
    pub fn mean(&self) -> f32 {
        let sum: f64 = self.outcomes.iter().map(|o| f64::from(o.reward)).sum();
        (sum / self.outcomes.len().max(1) as f64) as f32
    }

    /// The rewards' standard deviation over the child seeds (n − 1 in the denominator; 0 for
    /// one seed).
    pub fn spread(&self) -> f32 {
        let n = self.outcomes.len();
        if n < 2 {
            return 0.0;
        }
        let mean = f64::from(self.mean());
        let squares: f64 = self
            .outcomes
            .iter()
            .map(|o| (f64::from(o.reward) - mean).powi(2))
            .sum();
        (squares / (n - 1) as f64).sqrt() as f32
    }

    /// The row's bytes, appended to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.number.to_le_bytes());
        for o in &self.outcomes {
            out.extend_from_slice(&o.reward.to_le_bytes());
            out.extend_from_slice(&o.epochs.to_le_bytes());
            out.extend_from_slice(&o.best_epoch.to_le_bytes());
            out.push(u8::from(o.diverged));
        }
    }
}

/// Trains `arch` as a table row: once per child seed `j` in `0..seeds`, scored as a search of
/// seed `config.seed + j` scores rollout number `arch.number()` (see the module's
/// documentation), each fold trained by `fit`.
pub fn train(
    config: &SearchConfig,
    split: &Split<'_>,
    arch: Arch,
    seeds: u32,
    mut fit: impl FnMut(&Arch, &piconas_core::Fold<'_>, &mut piconas_core::rng::Generator) -> Outcome,
) -> Row {
    let number = arch.number();
    let outcomes = (0..seeds)
        .map(|j| {
            // The whole space: no budget leaves any architecture out.
            let config = SearchConfig {
                seed: config.seed.wrapping_add(u64::from(j)),
                budget: piconas_core::target::Budget::NONE,
                ..*config
            };
            // Every child climbs every rung (no bar): its reward is its whole train split's.
            let proposal = Proposal {
                index: number,
                arch,
                bars: piconas_core::rungs::Bars::NONE,
            };
            search::evaluate(&config, proposal, split, |fold, rng| fit(&arch, fold, rng))
        })
        .collect();
    Row { number, outcomes }
}

/// A table read back: its header and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// What it was made with.
    pub header: Header,
    /// Its rows, in the header's order ([`Header::archs`]); fewer than it holds while it is
    /// being made.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads a table's bytes: the header checked, and every whole row in the header's order
    /// (a partial last row, as a kill leaves, is left out). An error names what does not
    /// check.
    pub fn decode(bytes: &[u8]) -> Result<Table, String> {
        let header = decode_header(bytes)?;
        let mut expected = header.archs();
        let rows = bytes[HEADER_BYTES..]
            .chunks_exact(header.row_bytes())
            .enumerate()
            .map(|(i, b)| {
                let row = decode_row(b, header.seeds)?;
                match expected.next() {
                    Some(a) if a.number() == row.number => Ok(row),
                    _ => Err(format!(
                        "row {i} holds architecture number {}, not the table's next",
                        row.number
                    )),
                }
            })
            .collect::<Result<Vec<Row>, String>>()?;
        Ok(Table { header, rows })
    }

    /// Whether every architecture the header holds has its row.
    pub fn is_complete(&self) -> bool {
        self.header.archs().count() == self.rows.len()
    }

    /// The table's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.header.encode().to_vec();
        for row in &self.rows {
            row.encode(&mut out);
        }
        out
    }

    /// The whole table of `parts`: shards of one table (the same settings, data, seeds and
    /// longest sequences; shard `i` of `n` for every `i`, each complete), joined in order.
    pub fn merge(mut parts: Vec<Table>) -> Result<Table, String> {
        parts.sort_by_key(|t| t.header.shard.index);
        let first = *parts
            .first()
            .map(|t| &t.header)
            .ok_or("no shards to join")?;
        let n = first.shard.count;
        for (i, part) in parts.iter().enumerate() {
            let h = part.header;
            let same = Header {
                shard: first.shard,
                ..h
            } == first;
            if !same || h.shard.count != n || h.shard.index != i as u32 {
                return Err(format!(
                    "shard {}/{} is not shard {i}/{n} of the same table (settings, data, seeds and tokens)",
                    h.shard.index, h.shard.count
                ));
            }
            if !part.is_complete() {
                return Err(format!("shard {i}/{n} is not finished"));
            }
        }
        if parts.len() != n as usize {
            return Err(format!("{} of the {n} shards", parts.len()));
        }
        let header = Header {
            shard: Shard::WHOLE,
            ..first
        };
        let mut queues: Vec<std::vec::IntoIter<Row>> =
            parts.into_iter().map(|t| t.rows.into_iter()).collect();
        let count = header.archs().count();
        let rows = (0..count)
            .filter_map(|position| queues[position % n as usize].next())
            .collect();
        Ok(Table { header, rows })
    }

    /// The table as CSV: per architecture its number, tokens, how many sequences of the raw
    /// space it stands for, the mean reward and its spread over the child seeds, each seed's
    /// reward, its parameters and multiply-adds on `shape`, and the bytes of its constants in
    /// the int8 header ([`Memory::int8`]: the class names not counted).
    pub fn to_csv(&self, shape: Shape) -> String {
        let members = members(self.header.max_tokens as usize);
        let seeds: String = (0..self.header.seeds)
            .map(|j| format!(",reward_{j}"))
            .collect();
        let mut out = format!(
            "number,tokens,sequences,reward_mean,reward_spread{seeds},params,macs,int8_bytes\n"
        );
        for row in &self.rows {
            let arch = row.arch();
            let rewards: String = row
                .outcomes
                .iter()
                .map(|o| format!(",{}", o.reward))
                .collect();
            out.push_str(&format!(
                "{},\"{arch}\",{},{},{}{rewards},{},{},{}\n",
                row.number,
                members.get(&row.number).copied().unwrap_or(0),
                row.mean(),
                row.spread(),
                arch.parameter_count(shape),
                arch.forward_macs(shape),
                Memory::int8(&arch, shape, 1).constants,
            ));
        }
        out
    }
}

/// How many sequences of at most `max_tokens` tokens each canonical architecture stands for.
pub fn members(max_tokens: usize) -> std::collections::HashMap<u32, u32> {
    let mut out = std::collections::HashMap::new();
    for n in 0..ARCH_COUNT {
        let arch = Arch::nth(n);
        if arch.len() > max_tokens.min(MAX_TOKENS) {
            break;
        }
        *out.entry(space::canonical(&arch).number()).or_insert(0) += 1;
    }
    out
}

fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn decode_header(bytes: &[u8]) -> Result<Header, String> {
    if bytes.len() < HEADER_BYTES || bytes[..8] != MAGIC {
        return Err("not a piconas space table".into());
    }
    if word(bytes, 8) != VERSION {
        return Err(format!(
            "a space table of version {}, this build reads {VERSION}",
            word(bytes, 8)
        ));
    }
    let long = |at: usize| u64::from(word(bytes, at)) | u64::from(word(bytes, at + 4)) << 32;
    let header = Header {
        seeds: word(bytes, 12),
        max_tokens: word(bytes, 16),
        shard: Shard {
            index: word(bytes, 20),
            count: word(bytes, 24),
        },
        settings: long(28),
        data: Fingerprint(long(36)),
    };
    let fits = (1..=MAX_SEEDS).contains(&header.seeds)
        && header.max_tokens as usize <= MAX_TOKENS
        && header.shard.count >= 1
        && header.shard.index < header.shard.count;
    if !fits {
        return Err(format!(
            "a damaged header ({} seeds, {} tokens, shard {}/{})",
            header.seeds, header.max_tokens, header.shard.index, header.shard.count
        ));
    }
    Ok(header)
}

fn decode_row(b: &[u8], seeds: u32) -> Result<Row, String> {
    let number = word(b, 0);
    let outcomes = (0..seeds as usize)
        .map(|j| {
            let at = 4 + 13 * j;
            let o = Outcome {
                reward: f32::from_bits(word(b, at)),
                epochs: word(b, at + 4),
                best_epoch: word(b, at + 8),
                diverged: b[at + 12] != 0,
                climb: piconas_core::Climb::NONE,
            };
            // A reward is an accuracy; the kept epoch is one of those trained.
            let fits = (0.0..=1.0).contains(&o.reward) && o.best_epoch <= o.epochs;
            match (fits, b[at + 12]) {
                (true, 0 | 1) => Ok(o),
                _ => Err(format!(
                    "architecture number {number}: a damaged outcome for child seed {j}"
                )),
            }
        })
        .collect::<Result<Vec<Outcome>, String>>()?;
    Ok(Row { number, outcomes })
}

/// Trains the architectures of `header` from position `from` on (the rows before are made),
/// on `threads` threads, each with its own trainer at the CPU's kernel; the rows go to
/// `on_row` in the header's order, whatever thread trained them. An error of `on_row` stops
/// the training and is returned. The rows are [`train`]'s, bit for bit.
#[cfg(feature = "threads")]
pub fn train_all(
    config: &SearchConfig,
    split: &Split<'_>,
    header: &Header,
    from: usize,
    threads: usize,
    mut on_row: impl FnMut(Row) -> Result<(), crate::failure::Failure>,
) -> Result<(), crate::failure::Failure> {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let archs: Vec<Arch> = header.archs().skip(from).collect();
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Row)>(4 * threads.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, archs.len().max(1)) {
            let send = send.clone();
            let (archs, next, stop) = (&archs, &next, &stop);
            scope.spawn(move || {
                let mut trainer: Box<piconas_core::Trainer> = Box::default();
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&arch) = archs.get(i) else { break };
                    let row = train(config, split, arch, header.seeds, |a, fold, rng| {
                        crate::kernel::fit(&mut trainer, a, &config.child, fold, rng)
                    });
                    if send.send((i, row)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        let (mut waiting, mut due) = (BTreeMap::new(), 0);
        let mut result = Ok(());
        for (i, row) in receive.iter() {
            waiting.insert(i, row);
            while let Some(row) = waiting.remove(&due) {
                due += 1;
                if result.is_ok() {
                    result = on_row(row);
                }
            }
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        // Let blocked senders finish: the receiver is dropped with this scope's end.
        drop(receive);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

    fn data() -> Dataset {
        crate::data::test_moons(200, 3)
    }

    fn config() -> SearchConfig {
        let mut config = SearchConfig::DEFAULT;
        config.child.max_epochs = 2;
        config.child.min_steps = 0;
        config.seed = 11;
        config
    }

    fn header(shard: Shard, seeds: u32) -> Header {
        Header {
            seeds,
            max_tokens: 2,
            shard,
            settings: 0x1234,
            data: Fingerprint(0x5678),
        }
    }

    /// `header`'s table, trained one row after another with the plain trainer.
    fn sequential(header: &Header) -> Table {
        let data = data();
        let split = data.split().unwrap();
        let mut trainer: Box<piconas_core::Trainer> = Box::default();
        let config = config();
        let rows = header
            .archs()
            .map(|a| {
                train(&config, &split, a, header.seeds, |a, fold, rng| {
                    trainer.fit(a, &config.child, fold, rng)
                })
            })
            .collect();
        Table {
            header: *header,
            rows,
        }
    }

    #[test]
    fn the_settings_fingerprint_is_what_reaches_a_row() {
        let data = crate::data::test_moons(200, 0);
        let base = piconas_core::Settings::DEFAULT;
        let f = settings_fingerprint(&base, &data);
        // Pinned: the fingerprint of the default settings' text.
        let mut text = String::new();
        for s in piconas_core::SETTINGS.iter() {
            if s.reaches_the_outcome() {
                text += &format!("{}={};", s.name, s.get(&base));
            }
        }
        assert!(
            text.starts_with("seed=0;child_lr=0.01;max_epochs=100;"),
            "{text}"
        );
        assert_eq!(
            f,
            Fingerprint::START
                .and(format!("{text}standardised=false;").as_bytes())
                .0
        );
        // The search's own settings do not make another table; the child's do, and so does
        // standardising.
        for (name, same) in [
            ("strategy", true),
            ("rollouts", true),
            ("cost_weight", true),
        ]
        .into_iter()
        .chain([
            ("seed", false),
            ("patience", false),
            ("reward_folds", false),
        ]) {
            let s = piconas_core::Setting::named(name).unwrap();
            let mut other = base;
            let value = match s.get(&base) {
                piconas_core::settings::Value::Int(v) => s.parse(&(v + 1).to_string()),
                piconas_core::settings::Value::Float(v) => s.parse(&(v + 0.5).to_string()),
                _ => s.parse("random"),
            };
            s.set(&mut other, value.unwrap()).unwrap();
            assert_eq!(settings_fingerprint(&other, &data) == f, same, "{name}");
        }
        let mut standardised = crate::data::test_moons(200, 0);
        standardised.scaling = Some(crate::data::Scaling {
            mean: vec![0.0; 2],
            scale: vec![1.0; 2],
        });
        assert_ne!(settings_fingerprint(&base, &standardised), f);
    }

    #[test]
    fn a_shard_is_i_of_n() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(Shard::parse("0/1"), Ok(Shard::WHOLE));
        for bad in ["4/4", "1/0", "1", "a/b", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let s = Shard { index: 1, count: 3 };
        let held: Vec<usize> = (0..8).filter(|&p| s.holds(p)).collect();
        assert_eq!(held, [1, 4, 7]);
    }

    #[test]
    fn rows_are_the_same_bits_on_any_threads_and_any_sharding() {
        let whole = header(Shard::WHOLE, 2);
        let reference = sequential(&whole);
        // 1 + 9 + 81 - 5 merging pairs.
        assert_eq!(reference.rows.len(), 86);
        assert!(reference.rows.iter().all(|r| r.outcomes.len() == 2));
        let data = data();
        let split = data.split().unwrap();
        for threads in [1, 2, 3] {
            let mut rows = Vec::new();
            train_all(&config(), &split, &whole, 0, threads, |r| {
                rows.push(r);
                Ok(())
            })
            .unwrap();
            let made = Table {
                header: whole,
                rows,
            };
            assert_eq!(made.encode(), reference.encode(), "{threads} threads");
        }
        // From the middle on, as a resume does.
        let mut rest = Vec::new();
        train_all(&config(), &split, &whole, 50, 2, |r| {
            rest.push(r);
            Ok(())
        })
        .unwrap();
        assert_eq!(rest, reference.rows[50..]);
        // Three shards, joined in any order.
        let parts: Vec<Table> = (0..3)
            .rev()
            .map(|i| sequential(&header(Shard { index: i, count: 3 }, 2)))
            .collect();
        assert_eq!(Table::merge(parts), Ok(reference));
    }

    #[test]
    fn a_stop_asked_by_the_caller_is_the_error_returned() {
        let data = data();
        let split = data.split().unwrap();
        let mut seen = 0;
        let e = train_all(&config(), &split, &header(Shard::WHOLE, 1), 0, 2, |_| {
            seen += 1;
            match seen {
                5 => Err(crate::failure::Failure::Io("disk full".into())),
                _ => Ok(()),
            }
        });
        assert_eq!(e, Err(crate::failure::Failure::Io("disk full".into())));
        assert_eq!(seen, 5);
    }

    #[test]
    fn the_bytes_read_back_and_a_cut_row_is_left_out() {
        let table = sequential(&header(Shard { index: 1, count: 2 }, 1));
        let bytes = table.encode();
        assert_eq!(
            bytes.len(),
            HEADER_BYTES + table.rows.len() * table.header.row_bytes()
        );
        assert_eq!(Table::decode(&bytes), Ok(table.clone()));
        assert!(Table::decode(&bytes).unwrap().is_complete());
        // Killed mid-row: the whole rows before it.
        let cut = Table::decode(&bytes[..bytes.len() - 3]).unwrap();
        assert_eq!(cut.rows, table.rows[..table.rows.len() - 1]);
        assert!(!cut.is_complete());
        // Damage is named.
        let refused = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut b = bytes.clone();
            edit(&mut b);
            Table::decode(&b).unwrap_err()
        };
        assert_eq!(refused(&|b| b[0] = b'x'), "not a piconas space table");
        assert!(refused(&|b| b[8] = 9).contains("version 9"));
        assert!(refused(&|b| b[12] = 0).contains("damaged header"));
        assert!(refused(&|b| b[20] = 2).contains("shard 2/2"));
        // The second row's number, then its reward.
        let second = HEADER_BYTES + table.header.row_bytes();
        assert!(refused(&|b| b[second] ^= 1).contains("not the table's next"));
        assert!(
            refused(&|b| b[second + 4..second + 8].copy_from_slice(&f32::NAN.to_le_bytes()))
                .contains("damaged outcome")
        );
        assert!(refused(&|b| b[second + 16] = 2).contains("damaged outcome"));
        // A reward is an accuracy, and the kept epoch one of those trained.
        assert!(
            refused(&|b| b[second + 4..second + 8].copy_from_slice(&1.5f32.to_le_bytes()))
                .contains("damaged outcome")
        );
        assert!(
            refused(&|b| b[second + 12..second + 16].copy_from_slice(&999u32.to_le_bytes()))
                .contains("damaged outcome")
        );
    }

    #[test]
    fn only_the_shards_of_one_finished_table_join() {
        let part = |i, seeds| sequential(&header(Shard { index: i, count: 2 }, seeds));
        assert_eq!(
            Table::merge(vec![part(0, 1)]).unwrap_err(),
            "1 of the 2 shards"
        );
        assert!(
            Table::merge(vec![part(0, 1), part(1, 2)])
                .unwrap_err()
                .contains("not shard 1/2 of the same table")
        );
        let mut unfinished = part(1, 1);
        unfinished.rows.pop();
        assert_eq!(
            Table::merge(vec![part(0, 1), unfinished]).unwrap_err(),
            "shard 1/2 is not finished"
        );
        assert_eq!(Table::merge(Vec::new()).unwrap_err(), "no shards to join");
    }

    #[test]
    fn the_csv_has_a_row_per_architecture_standing_for_every_sequence() {
        let table = sequential(&header(Shard::WHOLE, 2));
        let csv = table.to_csv(Shape::MOONS);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "number,tokens,sequences,reward_mean,reward_spread,reward_0,reward_1,params,macs,int8_bytes"
            )
        );
        let rows: Vec<Vec<String>> = lines
            .map(|l| {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(l.as_bytes());
                r.records()
                    .next()
                    .unwrap()
                    .unwrap()
                    .iter()
                    .map(String::from)
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 86);
        // Σ 9ᴸ for L ≤ 2 sequences in all.
        let sequences: u32 = rows.iter().map(|r| r[2].parse::<u32>().unwrap()).sum();
        assert_eq!(sequences, 91);
        // [ReLU] stands for ReLU, ReLU–ReLU, ReLU–LeakyReLU and LeakyReLU–ReLU.
        let relu = rows.iter().find(|r| r[1] == "[ReLU]").unwrap();
        assert_eq!(relu[2], "4");
        // [] is Linear(2, 2): 6 parameters, 4 multiply-adds.
        assert_eq!(rows[0][1], "[]");
        // [] is Linear(2, 2): 6 parameters, 4 multiply-adds, and in int8 4 weights, 2 biases
        // and a member weight, with the integer front's 14 bytes.
        assert_eq!(
            (
                rows[0][7].as_str(),
                rows[0][8].as_str(),
                rows[0][9].as_str()
            ),
            ("6", "4", "30")
        );
        let spread: f32 = rows[0][4].parse().unwrap();
        let (a, b): (f32, f32) = (rows[0][5].parse().unwrap(), rows[0][6].parse().unwrap());
        assert!((spread - (a - b).abs() / 2f32.sqrt()).abs() < 1e-6);
    }
}
