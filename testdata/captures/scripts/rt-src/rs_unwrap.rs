use std::fs;

fn main() {
    println!("loading settings");
    let text = fs::read_to_string("/nonexistent/settings.toml").unwrap();
    println!("{}", text);
}
