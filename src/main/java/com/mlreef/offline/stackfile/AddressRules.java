package com.mlreef.offline.stackfile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** IP addresses and address blocks (CIDR) as the stack file writes them, checked without a name ever being looked up. */
final class AddressRules {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private AddressRules() {
    }

    /** An IPv4 or IPv6 address. */
    static boolean isIp(String text) {
        return isIpv4(text) || isIpv6(text);
    }

    static boolean isIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    /** Eight groups of up to four hex digits, or fewer with one {@code ::}; the last two may be an IPv4 address. */
    static boolean isIpv6(String text) {
        String address = text;
        int lastColon = address.lastIndexOf(':');
        boolean withIpv4 = lastColon >= 0 && address.indexOf('.', lastColon) > 0;
        if (withIpv4) {
            if (!IPV4.matcher(address.substring(lastColon + 1)).matches()) {
                return false;
            }
            address = address.substring(0, lastColon + 1) + "0"; // stands for the first of the two groups
        }
        int compressed = address.indexOf("::");
        if (compressed >= 0 && address.indexOf("::", compressed + 1) >= 0
                || address.startsWith(":") && !address.startsWith("::")
                || address.endsWith(":") && !address.endsWith("::")) {
            return false;
        }
        int groups = withIpv4 ? 1 : 0;
        for (String part : address.split(":")) {
            if (!part.isEmpty() && !part.matches("[0-9a-fA-F]{1,4}")) {
                return false;
            }
            groups += part.isEmpty() ? 0 : 1;
        }
        return compressed >= 0 ? groups < 8 : groups == 8;
    }

    /** An address block such as 10.20.0.0/16 or fd00:1::/64. */
    static boolean isBlock(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        String bits = slash < 0 ? "" : text.substring(slash + 1);
        boolean v4 = isIpv4(address);
        return (v4 || isIpv6(address)) && bits.matches("[0-9]{1,3}") && Integer.parseInt(bits) <= (v4 ? 32 : 128);
    }

    /** Whether {@code address} (an IP address, or the first address of a block) lies in {@code block}. */
    static boolean inside(String block, String address) {
        byte[] ip = literal(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
        byte[] start = start(block);
        return ip.length == start.length && Arrays.equals(masked(ip, bits(block)), start);
    }

    /** Whether a block is written from its first address (no host bits set). */
    static boolean startsClean(String block) {
        return Arrays.equals(literal(block.substring(0, block.indexOf('/'))), start(block));
    }

    /** The block written from its first address, such as 10.20.0.0/16 for 10.20.3.4/16. */
    static String fromStart(String block) {
        try {
            return InetAddress.getByAddress(start(block)).getHostAddress() + "/" + bits(block);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A block's first address, as bytes. */
    private static byte[] start(String block) {
        return masked(literal(block.substring(0, block.indexOf('/'))), bits(block));
    }

    private static int bits(String block) {
        return Integer.parseInt(block.substring(block.indexOf('/') + 1));
    }

    private static byte[] masked(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /** The bytes of an IP literal (already checked as one: no name is looked up). */
    private static byte[] literal(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
