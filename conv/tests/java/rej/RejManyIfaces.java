package t.rej;

/* Generated: 16 interfaces, one more than a class may implement. */
public class RejManyIfaces implements RejI0,RejI1,RejI2,RejI3,RejI4,RejI5,RejI6,RejI7,RejI8,RejI9,RejI10,RejI11,RejI12,RejI13,RejI14,RejI15 {
}
interface RejI0 { }
interface RejI1 { }
interface RejI2 { }
interface RejI3 { }
interface RejI4 { }
interface RejI5 { }
interface RejI6 { }
interface RejI7 { }
interface RejI8 { }
interface RejI9 { }
interface RejI10 { }
interface RejI11 { }
interface RejI12 { }
interface RejI13 { }
interface RejI14 { }
interface RejI15 { }
