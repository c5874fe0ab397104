package t.ok;

class PSub extends PBase {
    short pv() { return 2; }
    short qq() { return 3; }
    short callPv() { return pv(); }
}
