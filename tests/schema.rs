//! The generated JS and TypeScript files are what the Rust tables say: this test renders them
//! and compares them with the files in the repository. `UPDATE_GENERATED=1 cargo test --test
//! schema` rewrites them after a table changed.

use maicoin_ws::core::generate;

#[test]
fn generated_files_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let update = std::env::var("UPDATE_GENERATED").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, text) in generate::files() {
        let file = format!("{root}/{path}");
        if update {
            std::fs::create_dir_all(std::path::Path::new(&file).parent().unwrap()).unwrap();
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let current = std::fs::read_to_string(&file).unwrap_or_default();
        if current != text {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `UPDATE_GENERATED=1 cargo test --test schema`"
    );
}

#[test]
fn every_object_and_constant_is_generated() {
    let [(_, readers), (_, constants), (_, payloads)] = generate::files();
    for object in maicoin_ws::core::schema::OBJECTS {
        assert!(
            readers.contains(&format!("function {}() {{", object.name)),
            "{}",
            object.name
        );
        assert!(
            payloads.contains(&format!("export interface {} {{", object.name)),
            "{}",
            object.name
        );
    }
    for table in maicoin_ws::core::protocol::WIRE_TABLES {
        assert!(
            constants.contains(&format!("export const {} = Object.freeze({{", table.name)),
            "{}",
            table.name
        );
        for (name, wire, _) in table.entries {
            assert!(
                constants.contains(&format!("  {name}: \"{wire}\",")),
                "{}.{name}",
                table.name
            );
        }
    }
}
