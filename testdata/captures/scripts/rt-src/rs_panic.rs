fn pick(items: &[u32], idx: usize) -> u32 {
    items[idx]
}

fn main() {
    let items: Vec<u32> = vec![7, 8, 9];
    println!("picking item");
    let v = pick(&items, std::env::args().count() + 9);
    println!("{}", v);
}
