package t.ok;

/* package-visible virtual methods: the package token space (high bit set) */
class PBase {
    short pv() { return 1; }
}
