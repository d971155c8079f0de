// flowd: placeholder main (replaced by the daemon's real entry point).
int main() { return 0; }
