//! A small RFC 4180 reader: comma-separated, `"` quoting with `""` escapes, CRLF or LF
//! line ends, quoted fields may span lines. Each record keeps the line it started on.

/// One record and the 1-based line number where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Why a file could not be split into records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("line {0}: unterminated quoted field")]
    Unterminated(usize),
    #[error("line {0}: unexpected character after a closing quote")]
    AfterQuote(usize),
}

/// Splits `text` into records; blank lines are skipped; a leading BOM is ignored.
pub fn parse(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        loop {
            match chars.next() {
                None => {
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if field.is_empty() => {
                    loop {
                        match chars.next() {
                            None => return Err(CsvError::Unterminated(start)),
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                        }
                    }
                    match chars.peek() {
                        None | Some(',') | Some('\n') | Some('\r') => {}
                        Some(_) => return Err(CsvError::AfterQuote(line)),
                    }
                }
                Some(',') => fields.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        let blank = fields.len() == 1 && fields[0].is_empty();
        if !blank {
            records.push(CsvRecord {
                line: start,
                fields,
            });
        }
    }
    Ok(records)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_line_numbers() {
        let text = "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",2\nlast,\n";
        let records = parse(text).unwrap();
        assert_eq!(records.len(), 4);
        assert_eq!(records[1].fields, vec!["x, y", "say \"hi\""]);
        assert_eq!(records[2].line, 4);
        assert_eq!(records[2].fields, vec!["multi\nline", "2"]);
        assert_eq!(records[3].line, 6);
        assert_eq!(records[3].fields, vec!["last", ""]);
    }

    #[test]
    fn bad_quoting_is_reported_with_its_line() {
        assert_eq!(parse("a\n\"open"), Err(CsvError::Unterminated(2)));
        assert_eq!(parse("\"a\"b,c"), Err(CsvError::AfterQuote(1)));
    }

    #[test]
    fn bom_and_missing_final_newline() {
        let records = parse("\u{feff}code,name\n3230000,人事總處").unwrap();
        assert_eq!(records[0].fields, vec!["code", "name"]);
        assert_eq!(records[1].fields, vec!["3230000", "人事總處"]);
    }
}
