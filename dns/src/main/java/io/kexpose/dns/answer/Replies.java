package io.kexpose.dns.answer;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;

/**
 * Response skeletons: ID, opcode, RD and CD copied, QR set, the question echoed as received (case-insensitive-names),
 * OPT echoed (edns0).
 */
public final class Replies {

    /** The UDP payload size we advertise in our OPT record. */
    public static final int ADVERTISED_UDP_SIZE = 1232;

    private Replies() {
    }

    /** A reply to {@code request} with {@code rcode}, the question and, if the request had one, an OPT record. */
    public static Message reply(Message request, int rcode) {
        Message m = new Message(request.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setOpcode(request.getHeader().getOpcode());
        if (request.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        if (request.getHeader().getFlag(Flags.CD)) {
            m.getHeader().setFlag(Flags.CD);
        }
        org.xbill.DNS.Record q = request.getQuestion();
        if (q != null) {
            m.addRecord(q, Section.QUESTION);
        }
        m.getHeader().setRcode(rcode & 0x0F);
        OPTRecord opt = request.getOPT();
        if (opt != null) {
            m.addRecord(new OPTRecord(ADVERTISED_UDP_SIZE, rcode >> 4, 0, opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO),
                    Section.ADDITIONAL);
        }
        return m;
    }
}
