//! Writes the JS and TypeScript copies of the schema: the tape readers (`js/generated/readers.js`),
//! the constant objects (`js/generated/constants.js`) and their declarations with the payload
//! interfaces (`js/generated/payloads.d.ts`). `tests/schema.rs` checks that the files in the
//! repository are what these functions write (`UPDATE_GENERATED=1` rewrites them).

use std::fmt::Write;

use super::protocol::{WireTable, BOOK_DEPTHS, MAX_WS_URI, WIRE_TABLES};
use super::schema::{Kind, Object, EVENT_KEY, OBJECTS, RESPONSE};

/// Each generated file: its path in the repository and its text.
pub fn files() -> [(&'static str, String); 3] {
    [
        ("js/generated/readers.js", readers_js()),
        ("js/generated/constants.js", constants_js()),
        ("js/generated/payloads.d.ts", payloads_dts()),
    ]
}

const HEADER: &str =
    "Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`\n\
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.";

/// The JS expression that reads a value of `kind` off the tape.
fn reader(kind: &Kind) -> String {
    match kind {
        Kind::Text | Kind::Enum(_) | Kind::Id => "str()".into(),
        Kind::Int => "num()".into(),
        Kind::Float => "float()".into(),
        Kind::Time => "date()".into(),
        Kind::Bool => "bool()".into(),
        Kind::Level => "[str(), str()]".into(),
        Kind::Object(object) => format!("new {}()", object.name),
        Kind::List(item) => format!("listOf{}()", item_name(item)),
    }
}

/// The name a list of `kind` is read by (`listOf` and this).
fn item_name(kind: &Kind) -> String {
    match kind {
        Kind::Object(object) => object.name.into(),
        Kind::List(item) => format!("ListOf{}", item_name(item)),
        Kind::Text | Kind::Enum(_) | Kind::Id => "Text".into(),
        Kind::Int => "Int".into(),
        Kind::Float => "Float".into(),
        Kind::Time => "Time".into(),
        Kind::Bool => "Bool".into(),
        Kind::Level => "Level".into(),
    }
}

/// Every kind of list item the tables use, each once, in order of first use.
fn list_items() -> Vec<&'static Kind> {
    fn visit(kind: &'static Kind, out: &mut Vec<&'static Kind>) {
        if let Kind::List(item) = kind {
            visit(item, out);
            if !out.iter().any(|seen| item_name(seen) == item_name(item)) {
                out.push(item);
            }
        }
    }
    let mut out = Vec::new();
    for object in OBJECTS {
        for field in object.fields {
            visit(&field.kind, &mut out);
        }
    }
    out
}

/// Whether `field` is one the decoder requires (present on every decoded object of its table).
fn required(object: &Object, key: &str) -> bool {
    std::ptr::eq(object, &RESPONSE) && key == EVENT_KEY
}

/// Each generated builder's table of the shapes it keeps an object of (see `readers_js`): its
/// slots (a power of two), and how many slots past its own a mask may take.
const SHAPE_SLOTS: u32 = 128;
const SHAPE_PROBES: u32 = 8;

pub fn readers_js() -> String {
    let mut out = format!(
        "// {HEADER}\n//\n// The builders of decoded objects: each reads its object's presence mask, then its present\n\
         // fields in table order (bit i is field i of the table, the bit after the last says `extra`).\n\
         // Each is a constructor whose prototype is Object.prototype, so it builds a plain object: V8\n\
         // sizes a constructor's objects for the fields it assigns, where `{{}}` starts with room for 4\n\
         // and moves the rest out of line. Each kind of list has its own reader, so every call in\n\
         // them has one callee (which V8 inlines) where a shared one would see them all.\n//\n\
         // V8's optimized code holds the maps (hidden classes) of the objects it built weakly: a full\n\
         // GC that finds no object of one of them alive throws the code away, and the builders run\n\
         // unoptimized until V8 has learnt their shapes again. So each builder keeps the first object\n\
         // of each shape it builds (a presence mask is a shape): the maps stay alive. Its masks are\n\
         // in a table of {SHAPE_SLOTS} slots (-1: free), a mask at its hash or one of the next {SHAPE_PROBES}: a\n\
         // builder checks one slot, and a mask that finds no slot is not kept.\n\n\
         /** The reader of a decoded message, over the tape primitives of js/decode.js. */\n\
         export function makeReaders({{ num, float, str, date, bool, extra }}) {{\n\
         \x20 const shapeSlot = (mask) => Math.imul(mask, 0x9e3779b1) >>> {SHAPE_SHIFT};\n\n\
         \x20 function keepShape(masks, kept, mask, object) {{\n\
         \x20   for (let probe = 0, at = shapeSlot(mask); probe <= {SHAPE_PROBES}; probe++, at = (at + 1) & {SHAPE_MASK}) {{\n\
         \x20     if (masks[at] === mask) return;\n\
         \x20     if (masks[at] === -1) {{\n\
         \x20       masks[at] = mask;\n\
         \x20       kept[at] = object;\n\
         \x20       return;\n\
         \x20     }}\n\
         \x20   }}\n\
         \x20 }}\n\n",
        SHAPE_SHIFT = 32 - SHAPE_SLOTS.trailing_zeros(),
        SHAPE_MASK = SHAPE_SLOTS - 1,
    );
    for object in OBJECTS {
        let name = object.name;
        let _ = writeln!(
            out,
            "  const masksOf{name} = new Float64Array({SHAPE_SLOTS}).fill(-1);\n  const keptOf{name} = [];\n  \
             function {name}() {{"
        );
        out.push_str("    const m = num();\n");
        for (index, field) in object.fields.iter().enumerate() {
            let assign = format!("this.{} = {};", field.name, reader(&field.kind));
            if required(object, field.key) {
                let _ = writeln!(out, "    {assign}");
            } else {
                let _ = writeln!(out, "    if (m & 0x{:x}) {assign}", 1u32 << index);
            }
        }
        let _ = writeln!(
            out,
            "    if (m & 0x{:x}) this.extra = extra();\n    \
             if (masksOf{name}[shapeSlot(m)] !== m) keepShape(masksOf{name}, keptOf{name}, m, this);\n  }}\n  \
             {name}.prototype = Object.prototype;\n",
            object.extra_bit(),
        );
    }
    for item in list_items() {
        let _ = writeln!(
            out,
            "  function listOf{}() {{\n    const items = new Array(num());\n    \
             for (let i = 0; i < items.length; i++) items[i] = {};\n    return items;\n  }}\n",
            item_name(item),
            reader(item)
        );
    }
    let _ = writeln!(out, "  return () => new {}();\n}}", RESPONSE.name);
    out
}

/// A doc comment at `indent`, or nothing when `doc` is empty.
fn doc_comment(doc: &str, indent: &str) -> String {
    let lines: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    match lines.as_slice() {
        [] => String::new(),
        [line] => format!("{indent}/** {line} */\n"),
        lines => {
            let mut out = format!("{indent}/**\n");
            for line in lines {
                let _ = writeln!(out, "{indent} * {line}");
            }
            out + indent + " */\n"
        }
    }
}

pub fn constants_js() -> String {
    let mut out = format!("// {HEADER}\n\n/** The production endpoint. */\nexport const MAX_WS_URI = \"{MAX_WS_URI}\";\n");
    for table in WIRE_TABLES {
        let _ = write!(
            out,
            "\n{}export const {} = Object.freeze({{\n",
            doc_comment(table.doc, ""),
            table.name
        );
        for (name, wire, _) in table.entries {
            let _ = writeln!(out, "  {name}: \"{wire}\",");
        }
        out.push_str("});\n");
    }
    out
}

/// The TypeScript type of a value of `kind`.
fn ts_type(kind: &Kind) -> String {
    match kind {
        Kind::Text | Kind::Id => "string".into(),
        Kind::Enum(name) => format!("KnownOr<{name}Name>"),
        Kind::Int | Kind::Float => "number".into(),
        Kind::Time => "Date".into(),
        Kind::Bool => "boolean".into(),
        Kind::Level => "Level".into(),
        Kind::Object(object) => object.name.into(),
        Kind::List(item) => format!("{}[]", ts_type(item)),
    }
}

fn constant_declaration(table: &WireTable) -> String {
    let mut out = format!(
        "{}export declare const {}: {{\n",
        doc_comment(table.doc, ""),
        table.name
    );
    for (name, wire, doc) in table.entries {
        let _ = writeln!(
            out,
            "{}  readonly {name}: \"{wire}\";",
            doc_comment(doc, "  ")
        );
    }
    out + "};\n"
}

pub fn payloads_dts() -> String {
    let mut out = format!(
        "// {HEADER}\n//\n// The constant objects and the decoded payloads. Every decoded field is optional but `event`:\n\
         // the decoder requires only `e`, and a field absent on the wire is absent on the object (never null).\n\n\
         /** The production endpoint. */\nexport declare const MAX_WS_URI: \"{MAX_WS_URI}\";\n"
    );
    for table in WIRE_TABLES {
        out.push('\n');
        out.push_str(&constant_declaration(table));
    }
    out.push_str("\n/** The wire strings of each constant object, as a union type. */\n");
    for table in WIRE_TABLES {
        let _ = writeln!(
            out,
            "export type {0}Name = (typeof {0})[keyof typeof {0}];",
            table.name
        );
    }
    let depths: Vec<String> = BOOK_DEPTHS.iter().map(u64::to_string).collect();
    let _ = writeln!(out, "\n/** Book depths the server accepts (it sends 50 levels when none is asked for). */\nexport type BookDepth = {};", depths.join(" | "));
    out.push_str(
        "\n/**\n * A known wire string or any other: the decoder keeps strings it does not know (MAX adds values,\n\
         * and documents `snaptshot`), while editors still offer the known ones.\n */\n\
         export type KnownOr<T extends string> = T | (string & {});\n\n\
         /** Wire keys the model does not name (`rpi`, `sa`, ...), with their wire names and JSON values. */\n\
         export type Extra = Record<string, unknown>;\n\n\
         /** One `[price, volume]` level of a book. */\n\
         export type Level = [price: string, volume: string];\n",
    );
    for object in OBJECTS {
        let _ = write!(
            out,
            "\n{}export interface {} {{\n",
            doc_comment(object.doc, ""),
            object.name
        );
        for field in object.fields {
            let optional = if required(object, field.key) { "" } else { "?" };
            let _ = writeln!(
                out,
                "{}  {}{optional}: {};",
                doc_comment(field.doc, "  "),
                field.name,
                ts_type(&field.kind)
            );
        }
        out.push_str("  extra?: Extra;\n}\n");
    }
    out
}
