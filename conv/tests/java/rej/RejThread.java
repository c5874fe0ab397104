package t.rej;

public class RejThread {
    Thread t;
}
