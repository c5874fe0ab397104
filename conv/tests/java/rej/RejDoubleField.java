package t.rej;

public class RejDoubleField {
    double d;
}
