//! The city list of the application form (N2.3): "chosen from a list after typing its
//! first letters". Pure: the runtime reads `assets/ru-cities.csv` and hands the text in.
//!
//! The list is the HFLabs "city" data set (github.com/hflabs/city), CC BY-SA 4.0; see
//! `assets/ru-cities.README.md` for the attribution that must stay with it.
//!
//! Matching ignores case, treats "ё" as "е" and hyphens as spaces (people type
//! "Ростов на" for "Ростов-на-Дону", "Королев" for "Королёв"), finds a word inside a
//! name ("Новгород" finds "Великий Новгород"), and a query typed in the Latin layout by
//! mistake ("vjcrdf") is read as the Russian layout ("москва"). Bigger cities come first.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

/// One city of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    pub name: String,
    /// The region, with its type ("Московская обл"), where the list has it.
    pub region: Option<String>,
    pub population: Option<u64>,
}

/// Why the city list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CityListError {
    #[error("the city list has no header line")]
    Empty,
    #[error("the city list has no \"{0}\" column")]
    MissingColumn(&'static str),
    #[error("line {line} of the city list has {got} columns, the header {expected}")]
    Columns {
        line: usize,
        got: usize,
        expected: usize,
    },
}

/// The cities, biggest first, with their names folded for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CityIndex {
    cities: Vec<(String, City)>,
}

/// Lower case, "ё" as "е", hyphens as spaces, runs of spaces as one.
pub fn fold(text: &str) -> String {
    let lowered: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ё' => 'е',
            '-' | '‐' | '–' | '—' => ' ',
            c => c,
        })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Russian letter on the same key of the standard layouts (ЙЦУКЕН for QWERTY).
fn russian_layout(c: char) -> Option<char> {
    const LATIN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const CYRILLIC: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    LATIN
        .chars()
        .position(|l| l == c)
        .and_then(|i| CYRILLIC.chars().nth(i))
}

impl CityIndex {
    /// Reads the CSV text: a header naming at least `city`; `region`, `region_type` and
    /// `population` are used where present. Fields hold no commas or quotes in this list.
    pub fn from_csv(text: &str) -> Result<CityIndex, CityListError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or(CityListError::Empty)?;
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        let col = |name| columns.iter().position(|c| *c == name);
        let city_col = col("city").ok_or(CityListError::MissingColumn("city"))?;
        let (region_col, type_col, pop_col) =
            (col("region"), col("region_type"), col("population"));
        let mut cities = Vec::new();
        for (i, line) in lines {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != columns.len() {
                return Err(CityListError::Columns {
                    line: i + 1,
                    got: fields.len(),
                    expected: columns.len(),
                });
            }
            let get = |c: Option<usize>| c.and_then(|c| fields.get(c)).filter(|f| !f.is_empty());
            let Some(name) = fields.get(city_col).filter(|f| !f.is_empty()) else {
                continue;
            };
            let region = match (get(region_col), get(type_col)) {
                (Some(r), Some(t)) if *t != "г" => Some(format!("{r} {t}")),
                (Some(r), _) => Some((*r).to_string()),
                _ => None,
            };
            let city = City {
                name: (*name).to_string(),
                region,
                population: get(pop_col).and_then(|p| p.parse().ok()),
            };
            cities.push((fold(name), city));
        }
        cities.sort_by_key(|(_, c)| Reverse(c.population.unwrap_or(0)));
        Ok(CityIndex { cities })
    }

    pub fn len(&self) -> usize {
        self.cities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cities.is_empty()
    }

    /// Up to `limit` cities for what was typed: names that start with it first, then
    /// names with a word that starts with it, each biggest first.
    pub fn search(&self, typed: &str, limit: usize) -> Vec<&City> {
        let query = fold(typed);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let found = self.matching(&query, limit);
        if !found.is_empty() {
            return found;
        }
        let converted: Option<String> = query
            .chars()
            .map(|c| if c == ' ' { Some(c) } else { russian_layout(c) })
            .collect();
        match converted {
            Some(q) if q != query => self.matching(&fold(&q), limit),
            _ => Vec::new(),
        }
    }

    fn matching(&self, query: &str, limit: usize) -> Vec<&City> {
        let starts = self.cities.iter().filter(|(k, _)| k.starts_with(query));
        let inside = self
            .cities
            .iter()
            .filter(|(k, _)| !k.starts_with(query) && k.split(' ').any(|w| w.starts_with(query)));
        starts.chain(inside).take(limit).map(|(_, c)| c).collect()
    }

    /// The city of the list with exactly this name (folded), the biggest of namesakes.
    pub fn find(&self, name: &str) -> Option<&City> {
        let key = fold(name);
        self.cities.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../../assets/ru-cities.csv");

    fn index() -> CityIndex {
        CityIndex::from_csv(LIST).expect("the shipped list reads")
    }

    fn names(found: Vec<&City>) -> Vec<&str> {
        found.into_iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn reads_the_shipped_list() {
        let cities = index();
        assert_eq!(cities.len(), 1117);
        let moscow = cities.find("москва").expect("Moscow is there");
        assert_eq!(moscow.population, Some(11_514_330));
        assert_eq!(moscow.region.as_deref(), Some("Москва"));
        assert_eq!(
            cities.find("Королев").map(|c| c.name.as_str()),
            Some("Королёв")
        );
    }

    #[test]
    fn prefixes_rank_by_population_and_ignore_case() {
        let cities = index();
        assert_eq!(names(cities.search("МО", 1)), ["Москва"]);
        let found = names(cities.search("санкт", 5));
        assert_eq!(found.first(), Some(&"Санкт-Петербург"));
        assert_eq!(names(cities.search("ростов на", 3)), ["Ростов-на-Дону"]);
        assert_eq!(names(cities.search("щелк", 1)), ["Щёлково"]);
        let novgorod = names(cities.search("новгор", 5));
        assert!(novgorod.contains(&"Великий Новгород"), "{novgorod:?}");
        assert!(cities.search("", 5).is_empty());
        assert!(cities.search("zzzzqqq", 5).is_empty());
    }

    #[test]
    fn a_query_in_the_wrong_layout_still_finds_the_city() {
        assert_eq!(names(index().search("vjcr", 1)), ["Москва"]);
    }

    #[test]
    fn refuses_a_malformed_list_without_panicking() {
        assert_eq!(CityIndex::from_csv(""), Err(CityListError::Empty));
        assert_eq!(
            CityIndex::from_csv("name,population\nМосква,1"),
            Err(CityListError::MissingColumn("city"))
        );
        assert!(matches!(
            CityIndex::from_csv("city,population\nМосква"),
            Err(CityListError::Columns { line: 2, .. })
        ));
        let small = CityIndex::from_csv("city\nТверь\nТула\n").expect("reads");
        assert_eq!(names(small.search("т", 5)), ["Тверь", "Тула"]);
    }
}
