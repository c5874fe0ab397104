package t.rej;

public class RejStringField {
    String s;
}
