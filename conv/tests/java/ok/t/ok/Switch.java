package t.ok;

public class Switch {
    static short tab(short k) {
        switch (k) { case 1: return 10; case 2: return 20; case 3: return 30; default: return 0; }
    }
    static short look(short k) {
        switch (k) { case 1: return 10; case 1000: return 20; default: return 0; }
    }
}
