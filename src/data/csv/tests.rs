//! Unit tests of the CSV reading (`super`): parsing, fitting, text and empty cells, line
//! numbers, streaming reads.

use super::*;

fn table(text: &str, label: Label<'_>) -> Result<Table, DataError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    std::fs::write(&p, text).unwrap();
    read(&p, label)
}

fn err_of(text: &str, label: Label<'_>) -> String {
    table(text, label).unwrap_err().to_string()
}

#[test]
fn parses_and_fits() {
    let t = table(
        "a,b,\"species, latin\"\n1,2,x\n3,-4.5,y\n5,6e1,x\n\n",
        Label::Last,
    )
    .unwrap();
    assert_eq!(t.features, vec!["a", "b"]);
    assert_eq!(t.label_column.as_deref(), Some("species, latin"));
    assert_eq!(t.row(2), &[5.0, 60.0]);
    assert_eq!(t.lines, vec![2, 3, 4]);
    let spec = t.fit().unwrap();
    assert_eq!(spec.class_names, vec!["x", "y"]);
    let f = spec.features().unwrap();
    assert_eq!((f[1].lo, f[1].hi), (-4.5, 60.0));
    let ds = t.to_dataset(&spec).unwrap();
    assert_eq!(ds.labels, vec![0, 1, 0]);
    // a = 1 is its minimum → 0; b = 2 → 255·(2 + 4.5)/64.5 = 25.7 → 26
    assert_eq!(&ds.pixels[..2], &[0, 26]);
}

#[test]
fn numeric_labels_sort_numerically_and_columns_match_by_name() {
    let t = table("y,a,b\n10,1,2\n9,3,4\n2,5,6\n", Label::Named("y")).unwrap();
    let spec = t.fit().unwrap();
    assert_eq!(spec.class_names, vec!["2", "9", "10"]);
    // another file with the columns in another order and no label column
    let u = table("b,a\n4,3\n", Label::IfPresent("y")).unwrap();
    assert_eq!(
        u.quantise_row(&spec, 0).unwrap(),
        t.quantise_row(&spec, 1).unwrap()
    );
    assert!(u
        .to_dataset(&spec)
        .unwrap_err()
        .to_string()
        .contains("no label column"));
}

#[test]
fn every_bad_cell_is_named() {
    assert!(
        err_of("", Label::Last).contains("empty") || err_of("", Label::Last).contains("no data")
    );
    assert!(err_of("a,b\n", Label::Last).contains("no data rows"));
    assert_eq!(
        err_of("a,b\n1\n", Label::Last).split_once(": ").unwrap().1,
        "1 fields, but the header has 2 columns"
    );
    assert!(err_of("a,b\n1\n", Label::Last).contains("t.csv:2:"));
    // a model without empty cells or text in a column refuses them, naming line and column
    let spec = table("a,b,y\n1,2,x\n3,4,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let enc = |text: &str| {
        table(text, Label::Last)
            .unwrap()
            .to_dataset(&spec)
            .unwrap_err()
            .to_string()
    };
    assert!(enc("a,b,y\n1,,x\n").contains(":2: column `b`: missing value ``"));
    assert!(enc("a,b,y\n1,NA,x\n").contains("missing value `NA`"));
    assert!(enc("a,b,y\n1,2,x\n1,two,x\n").contains(":3: column `b`: `two` is not a number"));
    assert!(err_of("a,b,y\n1,inf,x\n", Label::Last).contains("not finite"));

    assert!(err_of("a,b,y\n1,2,\n", Label::Last).contains("the label is missing"));
    assert!(err_of("a,a,y\n1,2,x\n", Label::Last).contains("appears twice"));
    assert!(err_of("a,b\n1,2\n", Label::Named("c"))
        .contains("no label column `c`; the columns are: a, b"));
    assert!(err_of("y\nx\n", Label::Last).contains("no feature column"));
    let t = table("a,y\n1,x\n2,x\n", Label::Last).unwrap();
    assert!(t
        .fit()
        .unwrap_err()
        .to_string()
        .contains("fewer than two classes"));
    let spec = table("a,y\n1,x\n2,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let e = table("a,y\n1,x\n2,w\n", Label::Last)
        .unwrap()
        .to_dataset(&spec)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(":3: column `y`: label `w` is not a class of the model (x, z)"),
        "{e}"
    );
    let e = table("b,y\n1,x\n", Label::Last)
        .unwrap()
        .to_dataset(&spec)
        .unwrap_err();
    assert!(e.to_string().contains("no column `a`"), "{e}");
}

fn write(text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

#[test]
fn crlf_files_name_the_same_lines_as_lf_files() {
    // (text in a number column of the model is an error when read for it)
    let spec = table("a,b,label\n1,2,x\n3,4,y\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let lf = "a,b,label\n1,2,x\n3,4,y\n5,zz,x\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf.to_string(), crlf] {
        let (_d, p) = write(text.as_bytes());
        let e = read_dataset(&p, Label::Last, &spec)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv:4: column `b`: `zz` is not a number"),
            "{e}"
        );
        let e = table(&text, Label::Last)
            .unwrap()
            .to_dataset(&spec)
            .unwrap_err();
        assert!(e.to_string().contains("t.csv:4: column `b`"), "{e}");
    }
    // blank lines, a last line without its line end, a quoted field over two lines
    let spec = table("a,y\n1,x\n2,q\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let text = "a,y\r\n\r\n1,x\r\n\n\n2,\"y\r\nz\"\r\n3,x\r\n4,q\r\nq,x";
    let e = table(text, Label::Last)
        .unwrap()
        .to_dataset(&spec)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.csv:6: column `y`: label `y\r\nz` is not a class"),
        "{e}"
    );
    let (_d, p) = write(text.as_bytes());
    let e = read_rows(&p, &spec, &[5]).unwrap_err().to_string();
    assert!(
        e.contains("t.csv:10: column `a`: `q` is not a number"),
        "{e}"
    );
    let t = table(&text[..text.len() - 4], Label::Last).unwrap();
    assert_eq!(t.lines, vec![3, 6, 8, 9]);
    assert_eq!(t.labels[1], "y\r\nz");
    // a file with lone CR line ends is refused, saying why
    let e = err_of("a,y\r1,x\r2,y\r", Label::Last);
    assert!(e.contains("lone carriage return"), "{e}");
}

#[test]
fn a_test_set_may_hold_columns_the_model_does_not_read() {
    let spec = table("a,b,y\n0,0,x\n10,20,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let (_d, p) = write(b"note,b,y,a,extra\nhello world,20,z,10,\n,0,x,0,n/a\n");
    let ds = read_dataset(&p, Label::Named("y"), &spec).unwrap();
    assert_eq!(ds.pixels, vec![255, 255, 0, 0]);
    assert_eq!(ds.labels, vec![1, 0]);
    // a bad cell in a column the model reads is still named
    let (_d, p) = write(b"note,b,y,a\nhi,20,z,10\nho,2x,x,0\n");
    let e = read_dataset(&p, Label::Named("y"), &spec).unwrap_err();
    assert!(
        e.to_string()
            .contains("t.csv:3: column `b`: `2x` is not a number"),
        "{e}"
    );
}

#[test]
fn csv_rows_parse_only_the_rows_asked_for() {
    let spec = table("a,b,y\n0,0,x\n10,20,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    // row 3 has a bad cell, row 4 a broken UTF-8 byte, then a line of the wrong width
    let (_d, p) = write(b"a,b,y\n5,20,x\n\n10,0,x\n1,zz,x\n\xff,1,x\n1\n");
    assert_eq!(read_rows(&p, &spec, &[1]).unwrap(), vec![vec![128, 255]]);
    assert_eq!(
        read_rows(&p, &spec, &[2, 1, 2]).unwrap(),
        vec![vec![255, 0], vec![128, 255], vec![255, 0]]
    );
    let e = read_rows(&p, &spec, &[3]).unwrap_err().to_string();
    assert!(
        e.contains("t.csv:5: column `b`: `zz` is not a number"),
        "{e}"
    );
    let e = read_rows(&p, &spec, &[4]).unwrap_err().to_string();
    assert!(e.contains("t.csv:6: column `a`: not valid UTF-8"), "{e}");
    let e = read_rows(&p, &spec, &[5]).unwrap_err().to_string();
    assert!(
        e.contains("t.csv:7: 1 fields, but the header has 3 columns"),
        "{e}"
    );
    let e = read_rows(&p, &spec, &[6]).unwrap_err().to_string();
    assert!(e.contains("has 5 data rows"), "{e}");
}

#[test]
fn a_header_of_a_million_columns_is_read_in_linear_time() {
    let spec = table("a,b,y\n0,0,x\n10,20,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    let n = 1_000_000;
    let mut text = String::with_capacity(16 * n);
    for i in 0..n {
        text += &format!("c{i},");
    }
    text += "b,a\n";
    text += &"0,".repeat(n);
    text += "20,10\n";
    let (_d, p) = write(text.as_bytes());
    let start = std::time::Instant::now();
    assert_eq!(read_rows(&p, &spec, &[1]).unwrap(), vec![vec![255, 255]]);
    // quadratic work (10^12 comparisons) would take hours; linear work takes well under
    // a second in release builds
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    // a duplicate name far down the header is still found
    let dup = text.replacen("c999999,", "c3,", 1);
    let (_d, p) = write(dup.as_bytes());
    let e = read_rows(&p, &spec, &[1]).unwrap_err().to_string();
    assert!(e.contains("t.csv:1: column `c3` appears twice"), "{e}");
}

#[test]
fn text_and_empty_cells_in_every_position() {
    // text or an empty cell in the first, a middle and the last feature column, the
    // label last or first
    for label_first in [false, true] {
        let rows = [
            ("Biscoe", "39.1", "male", "A"),
            ("Dream", "", "female", "B"),
            ("NA", "40.5", "", "A"),
            ("Biscoe", "41", "male", "B"),
        ];
        let mut text = String::new();
        text += if label_first {
            "y,island,len,sex\n"
        } else {
            "island,len,sex,y\n"
        };
        for (a, b, c, y) in rows {
            text += &if label_first {
                format!("{y},{a},{b},{c}\n")
            } else {
                format!("{a},{b},{c},{y}\n")
            };
        }
        let label = if label_first {
            Label::Named("y")
        } else {
            Label::Last
        };
        let t = table(&text, label).unwrap();
        let spec = t.fit().unwrap();
        let f = spec.features().unwrap();
        assert_eq!(f[0].categories, vec!["Biscoe", "Dream"]);
        assert!(f[0].missing && !f[0].other);
        assert!(!f[1].is_category() && f[1].missing);
        assert_eq!(f[1].fill, Some(40.5)); // the median of 39.1, 40.5, 41
        assert_eq!(f[2].categories, vec!["female", "male"]);
        assert_eq!(spec.num_inputs(), 3 + 2 + 3);
        let ds = t.to_dataset(&spec).unwrap();
        assert_eq!(ds.labels, vec![0, 1, 0, 1]);
        // Dream, (empty → 40.5, missing), female
        let q = f[1].quantise(40.5);
        assert_eq!(&ds.pixels[8..16], &[0, 255, 0, q, 255, 255, 0, 0]);
        // NA island: no one-hot byte, the missing byte
        assert_eq!(&ds.pixels[16..19], &[0, 0, 255]);
        // an unseen category is an error naming line and column, unless "other"
        let u = table(&text.replace("Dream", "Torgersen"), label).unwrap();
        let e = u.to_dataset(&spec).unwrap_err().to_string();
        assert!(
            e.contains("t.csv:3: column `island`: `Torgersen` is not a category"),
            "{e}"
        );
        let open = t.fit_with(true).unwrap();
        let ds = u.to_dataset(&open).unwrap();
        assert_eq!(&ds.pixels[10..14], &[0, 0, 255, 0]); // island=(other)
                                                         // --features takes the same cells, quoted where they hold a comma
        assert_eq!(
            parse_features("Dream,,female", &spec).unwrap(),
            &t.to_dataset(&spec).unwrap().pixels[8..16]
        );
        assert!(parse_features("\"Dream\",NA,\"female\"", &spec).is_ok());
        assert!(parse_features("Dream,,female,x", &spec)
            .unwrap_err()
            .to_string()
            .contains("3 features (island, len, sex)"));
    }
}

#[test]
fn quoting_bom_crlf_and_empty_columns() {
    let text = "\u{feff}\"a\",\"note, long\",b,y\r\n\"1\",\"x, \"\"q\"\"\",,c\r\n2,  y ,,d\r\n";
    let t = table(text, Label::Last).unwrap();
    assert_eq!(t.features, vec!["a", "note, long", "b"]);
    assert_eq!(t.lines, vec![2, 3]);
    assert_eq!(t.cell(0, 1), "x, \"q\"");
    assert_eq!(t.cell(1, 1), "y");
    assert_eq!(t.empty_columns(), vec!["b"]);
    let spec = t.fit().unwrap();
    // the all-empty column is left out
    let names: Vec<&str> = spec
        .features()
        .unwrap()
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, vec!["a", "note, long"]);
    assert_eq!(
        t.to_dataset(&spec).unwrap().pixels,
        vec![0, 255, 0, 255, 0, 255]
    );
    // a table with only empty feature columns, a label with one class
    assert!(table("a,y\n,x\nNA,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap_err()
        .to_string()
        .contains("every feature column is empty"));
    assert!(table("a,y\nq,x\nr,x\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap_err()
        .to_string()
        .contains("fewer than two classes"));
    // numbers written in another way keep their text; a mixed column is categories
    let t = table("a,y\n1.0,x\n+2,z\nb,x\n", Label::Last).unwrap();
    assert_eq!(t.row(0)[0], 1.0);
    let spec = t.fit().unwrap();
    assert_eq!(
        spec.features().unwrap()[0].categories,
        vec!["+2", "1.0", "b"]
    );
    // too many categories
    let mut many = String::from("id,y\n");
    for i in 0..=MAX_CATEGORIES {
        many += &format!("id{i},{}\n", i % 2);
    }
    let e = table(&many, Label::Last)
        .unwrap()
        .fit()
        .unwrap_err()
        .to_string();
    assert!(e.contains("column `id` has 257 distinct values"), "{e}");
}

#[test]
fn shuffling_is_seeded_and_spreads_sorted_classes() {
    let ds = Dataset {
        pixels: (0..90u8).collect(),
        labels: (0..90).map(|i| (i / 30) as Class).collect(),
        rows: 1,
        cols: 1,
    };
    let a = shuffled(&ds, 4);
    assert_eq!(a.pixels, shuffled(&ds, 4).pixels);
    assert_ne!(a.pixels, shuffled(&ds, 5).pixels);
    // a permutation that keeps each sample with its label
    let mut p = a.pixels.clone();
    p.sort_unstable();
    assert_eq!(p, ds.pixels);
    assert!(a.iter().all(|(x, l)| l == Class::from(x[0] / 30)));
    // the last 20 % (the validation split) holds every class
    let tail = &a.labels[72..];
    assert!((0..3).all(|c| tail.contains(&c)), "{tail:?}");
}

#[test]
fn features_and_row_references() {
    let spec = table("a,b,y\n0,0,x\n10,20,z\n", Label::Last)
        .unwrap()
        .fit()
        .unwrap();
    assert_eq!(parse_features("5, 20", &spec).unwrap(), vec![128, 255]);
    assert!(parse_features("5", &spec)
        .unwrap_err()
        .to_string()
        .contains("2 features (a, b)"));
    assert!(parse_features("5,x", &spec)
        .unwrap_err()
        .to_string()
        .contains("`x` is not a number"));
    assert!(parse_features("5,nan", &spec).is_err());
    assert_eq!(
        parse_row_ref("d/t.csv:3").unwrap(),
        (PathBuf::from("d/t.csv"), 3)
    );
    assert!(parse_row_ref("t.csv").is_err());
    assert!(parse_row_ref("t.csv:0").is_err());
    assert!(parse_row_ref("t.csv:x").is_err());
}
