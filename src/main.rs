fn main() {
    std::process::exit(promptrun::run());
}
