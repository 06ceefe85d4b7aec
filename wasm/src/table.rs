//! The page's view of a whole-space table ([`piconas::space_table`]): one loaded (made by
//! `piconas enumerate`, or by the page), checked against the search's data and the settings
//! that reach a row, so that the reward chart can draw the table's best and the search's best
//! architecture can be ranked in it; and a small table made here, row by row, in the order
//! and with the bits the command line makes it.

use piconas::regret::Lookup;
use piconas::space_table::{self, Header, Row, Shard, Table};
use piconas_core::Arch;
use wasm_bindgen::prelude::*;

use crate::{Nas, js_error, split_of};

/// What the page shows of a table.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct TableInfo {
    /// The architectures it holds.
    pub architectures: u32,
    /// The child seeds each was trained with.
    pub seeds: u32,
    /// Its longest sequences (6: the whole space).
    #[wasm_bindgen(js_name = maxTokens)]
    pub max_tokens: u32,
    /// The best mean reward there is in it.
    pub best: f32,
    /// The architecture of the best mean reward.
    #[wasm_bindgen(js_name = bestArch)]
    pub best_arch: String,
    /// The least mean reward of its top 1 %.
    #[wasm_bindgen(js_name = topPercent)]
    pub top_percent: f32,
}

impl TableInfo {
    fn of(lookup: &Lookup) -> TableInfo {
        let h = lookup.header();
        TableInfo {
            architectures: lookup.len() as u32,
            seeds: h.seeds,
            max_tokens: h.max_tokens,
            best: lookup.best(),
            best_arch: lookup.best_arch().to_string(),
            top_percent: lookup.top_percent(),
        }
    }
}

/// A table being made on the page: its header, the architectures it holds, and the rows made.
pub(crate) struct Making {
    header: Header,
    archs: Vec<Arch>,
    rows: Vec<Row>,
}

/// A table's bytes read and checked: complete and whole (see [`Lookup::complete`]).
fn lookup_of(bytes: &[u8]) -> Result<Lookup, JsValue> {
    let table = Table::decode(bytes).map_err(|e| js_error(&format!("the table: {e}")))?;
    Lookup::complete(table).map_err(|e| js_error(&format!("the table: {e}")))
}

/// A table's summary, read from its bytes (`space.bin`), before any search: throws an `Error`
/// saying what is wrong with a file that is not a complete table.
#[wasm_bindgen(js_name = tableInfo)]
pub fn table_info(bytes: &[u8]) -> Result<TableInfo, JsValue> {
    Ok(TableInfo::of(&lookup_of(bytes)?))
}

#[wasm_bindgen]
impl Nas {
    /// Uses the table `bytes` for this search: throws an `Error` if it is not complete, or
    /// was made on other data or under settings that train its children otherwise (the
    /// strategy, controller, cost and rollouts may differ).
    #[wasm_bindgen(js_name = useTable)]
    pub fn use_table(&mut self, bytes: &[u8]) -> Result<TableInfo, JsValue> {
        let lookup = lookup_of(bytes)?;
        let h = lookup.header();
        if h.data != self.data.fingerprint {
            return Err(js_error(
                "the table was made on other data than this search's",
            ));
        }
        if h.settings != space_table::settings_fingerprint(&self.settings, &self.data) {
            return Err(js_error(
                "the table's children were trained under other settings (seed, child training or reward folds) than this search's",
            ));
        }
        let info = TableInfo::of(&lookup);
        self.table = Some(Box::new(lookup));
        Ok(info)
    }

    /// Where the search stands against its table: `[the table's best, the least mean of its
    /// top 1 %, the mean of the search's best architecture so far, its rank]` (the mean and
    /// rank NaN before the first rollout, or if the table does not hold the architecture);
    /// `undefined` without a table.
    pub fn standing(&self) -> Option<Vec<f32>> {
        let lookup = self.table.as_ref()?;
        let found = self
            .session
            .history()
            .best()
            .map(|(_, arch)| arch)
            .filter(|a| lookup.holds(a));
        let (mean, rank) = found.map_or((f32::NAN, f32::NAN), |a| {
            let mean = lookup.mean(&a);
            (mean, lookup.rank(mean) as f32)
        });
        Some(vec![lookup.best(), lookup.top_percent(), mean, rank])
    }

    /// Starts making a table of this search's data and settings: every architecture of at
    /// most `max_tokens` tokens, each trained with `seeds` child seeds ([`Nas::make_rows`]
    /// trains them).
    #[wasm_bindgen(js_name = startTable)]
    pub fn start_table(&mut self, max_tokens: u32, seeds: u32) -> Result<u32, JsValue> {
        if max_tokens as usize > piconas_core::MAX_TOKENS {
            return Err(js_error(&format!(
                "a table's sequences are at most {} tokens (got {max_tokens})",
                piconas_core::MAX_TOKENS
            )));
        }
        if !(1..=space_table::MAX_SEEDS).contains(&seeds) {
            return Err(js_error(&format!(
                "a table has 1 to {} child seeds (got {seeds})",
                space_table::MAX_SEEDS
            )));
        }
        let header = Header::of(
            &self.settings,
            &self.data,
            (seeds, max_tokens, Shard::WHOLE),
        );
        let archs: Vec<Arch> = header.archs().collect();
        let total = archs.len() as u32;
        self.making = Some(Box::new(Making {
            header,
            archs,
            rows: Vec::new(),
        }));
        Ok(total)
    }

    /// Trains the next `n` rows of the table being made; how many are made.
    #[wasm_bindgen(js_name = makeRows)]
    pub fn make_rows(&mut self, n: u32) -> u32 {
        let Some(making) = self.making.as_mut() else {
            return 0;
        };
        let config = self.session.config();
        let split = split_of(&self.data);
        let trainer = &mut self.trainer;
        for _ in 0..n {
            let Some(&arch) = making.archs.get(making.rows.len()) else {
                break;
            };
            let row = space_table::train(
                &config,
                &split,
                arch,
                making.header.seeds,
                |a, fold, rng| trainer.fit(a, &config.child, fold, rng),
            );
            making.rows.push(row);
        }
        making.rows.len() as u32
    }

    /// The table being made, as `space.bin` (its rows so far), or `undefined` if none is.
    #[wasm_bindgen(js_name = tableBytes)]
    pub fn table_bytes(&self) -> Option<Vec<u8>> {
        let making = self.making.as_ref()?;
        let table = Table {
            header: making.header,
            rows: making.rows.clone(),
        };
        Some(table.encode())
    }
}
