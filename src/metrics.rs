//! Classification metrics of a network on labelled points: the confusion matrix, per-class
//! recall, balanced accuracy, and their printed form. The runner reports them on the test
//! split, `predict` on a labelled file.

/// `v` as a percentage with one decimal: `0.975` is `97.5 %`.
pub fn pct(v: f32) -> String {
    format!("{:.1} %", v * 100.0)
}

/// How a network classifies labelled points, class by class.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// The classes' names, in class order.
    pub classes: Vec<String>,
    /// `[true class][predicted class]` counts.
    pub confusion: Vec<Vec<u32>>,
}

impl Metrics {
    /// The confusion of `predicted` against `truth` (class indices below `classes.len()`).
    pub fn new(classes: Vec<String>, truth: &[u8], predicted: &[u8]) -> Metrics {
        let k = classes.len();
        let mut confusion = vec![vec![0u32; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            if let Some(cell) = confusion
                .get_mut(usize::from(t))
                .and_then(|row| row.get_mut(usize::from(p)))
            {
                *cell += 1;
            }
        }
        Metrics { classes, confusion }
    }

    /// The share of all points predicted right (0 for none), as the core's
    /// `Network::accuracy` counts it.
    pub fn accuracy(&self) -> f32 {
        let all: u32 = self.confusion.iter().flatten().sum();
        let right: u32 = (0..self.confusion.len())
            .map(|c| self.confusion[c][c])
            .sum();
        if all == 0 {
            0.0
        } else {
            right as f32 / all as f32
        }
    }

    /// Per class, the share of its points predicted right; `None` for a class with none.
    pub fn recall(&self) -> Vec<Option<f32>> {
        self.confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let all: u32 = row.iter().sum();
                (all > 0).then(|| row[c] as f32 / all as f32)
            })
            .collect()
    }

    /// The mean recall over the classes present (0 for none), by the core's formula (the
    /// reward's when the metric is balanced accuracy).
    pub fn balanced_accuracy(&self) -> f32 {
        let right: Vec<u32> = (0..self.confusion.len())
            .map(|c| self.confusion[c][c])
            .collect();
        let total: Vec<u32> = self.confusion.iter().map(|row| row.iter().sum()).collect();
        piconas_core::mlp::balanced_accuracy(&right, &total)
    }

    /// The printed lines: the confusion matrix, then the recalls; `what` names the points
    /// (`test` for the test split).
    pub fn text(&self, what: &str) -> Vec<String> {
        // Columns as wide as the longest class name (at least 6), a space between.
        let longest = self.classes.iter().map(|c| c.chars().count()).max();
        let cell = longest.unwrap_or(0).max(6) + 1;
        let label = longest.unwrap_or(0).max(18) + 1;
        let mut lines = vec![format!(
            "{:<20}{:<label$}{}",
            format!("{what} confusion"),
            "true ↓ predicted →",
            self.classes
                .iter()
                .map(|c| format!("{c:>cell$}"))
                .collect::<String>()
        )];
        for (name, row) in self.classes.iter().zip(&self.confusion) {
            let counts: String = row.iter().map(|n| format!("{n:>cell$}")).collect();
            lines.push(format!("                    {name:<label$}{counts}"));
        }
        let recalls: Vec<String> = self
            .classes
            .iter()
            .zip(self.recall())
            .map(|(name, r)| format!("{name}: {}", r.map_or("–".into(), pct)))
            .collect();
        lines.push(format!(
            "{:<20}{}; balanced accuracy {}",
            format!("{what} recall"),
            recalls.join(", "),
            pct(self.balanced_accuracy())
        ));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_class_names_get_columns_as_wide() {
        let names = ["setosa", "versicolor", "virginica"]
            .map(String::from)
            .to_vec();
        let m = Metrics::new(names, &[0, 1, 2, 2], &[0, 1, 1, 2]);
        let lines = m.text("test");
        assert_eq!(
            lines[0],
            "test confusion      true ↓ predicted →      setosa versicolor  virginica"
        );
        assert_eq!(
            lines[3],
            "                    virginica                    0          1          1"
        );
    }

    #[test]
    fn accuracies_count_the_classes_present() {
        let names = ["a", "b", "c"].map(String::from).to_vec();
        // a: 2 of 3 right, b: 1 of 1, c: none present (one point predicted c).
        let m = Metrics::new(names.clone(), &[0, 0, 0, 1], &[0, 0, 2, 1]);
        assert_eq!(m.accuracy(), 0.75);
        assert_eq!(m.recall(), [Some(2.0 / 3.0), Some(1.0), None]);
        assert_eq!(m.balanced_accuracy(), (2.0f32 / 3.0 + 1.0) / 2.0);
        let none = Metrics::new(names, &[], &[]);
        assert_eq!((none.accuracy(), none.balanced_accuracy()), (0.0, 0.0));
    }
}
