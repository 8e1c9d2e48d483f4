// run under `ulimit -v`: Vec::with_capacity fails -> "memory allocation of N bytes failed" + abort
fn main() {
    println!("reserving buffer");
    let n: usize = 1 << 33; // 8 GiB
    let mut v: Vec<u8> = Vec::with_capacity(n);
    v.push(1);
    println!("{}", v.len());
}
