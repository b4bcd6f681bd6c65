package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.stackfile.StackSpec;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * The address containers on a network reach the host at, as {@code run} gives it to a local pip server's URL and
 * {@code doctor} shows it.
 */
public final class NetworkGateway {
    /** The engine's usual default bridge gateway: the address of last resort. */
    static final String DEFAULT_BRIDGE = "172.17.0.1";
    /** What run uses until it has created the network (the gateway is known only then). */
    static final String NOT_CREATED = "0.0.0.0";
    /** The engine's default network, which a container without a network of the stack joins. */
    static final String BRIDGE_NETWORK = "bridge";
    /** The default bridge's interface on this host. */
    public static final String DOCKER0 = "docker0";

    /**
     * @param ip  an IPv4 address
     * @param how how it was found when the engine does not report it ("docker0", "first address of ..."), or null
     */
    public record Address(String ip, String how) {
        /** The address with how it was found, as doctor shows it. */
        public String shown() {
            return how == null ? ip : ip + " (" + how + ")";
        }
    }

    private NetworkGateway() {
    }

    /**
     * The engine's IPAM gateway, else (the default bridge reports none) the address of the bridge's interface on this
     * host, else the first address of the subnet, which the engine gives the bridge; null when none is known.
     *
     * @param engineLocal whether the engine runs on this host: only then are its interfaces this host's
     */
    public static Address of(Network network, boolean engineLocal) {
        if (network.gateway() != null) {
            return new Address(network.gateway(), null);
        }
        if (engineLocal && network.bridgeInterface() != null) {
            try {
                NetworkInterface nic = NetworkInterface.getByName(network.bridgeInterface());
                if (nic != null) {
                    for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                        if (a.getAddress() instanceof Inet4Address) {
                            return new Address(a.getAddress().getHostAddress(), network.bridgeInterface());
                        }
                    }
                }
            } catch (SocketException e) {
                // fall back to the subnet
            }
        }
        String subnet = network.subnet();
        if (subnet == null || !subnet.contains("/")) {
            return null;
        }
        String[] octets = subnet.substring(0, subnet.indexOf('/')).split("\\.");
        if (octets.length != 4) {
            return null;
        }
        return new Address(octets[0] + "." + octets[1] + "." + octets[2] + "." + (Integer.parseInt(octets[3]) + 1),
                "first address of " + subnet);
    }

    /**
     * The address on this host that the stack's containers reach it at, for a server they use (pip-serve): the
     * gateway of the stack's first network when it exists, else the default bridge's, else the address of the
     * {@code docker0} interface; null when none is found. The engine runs on this host.
     */
    public static Address forHostServer(DockerEngine engine, StackSpec spec) {
        StackSpec.NetworkSpec first = spec.firstNetwork();
        for (String name : first == null ? java.util.List.of(BRIDGE_NETWORK) : java.util.List.of(first.name(), BRIDGE_NETWORK)) {
            try {
                Address address = of(engine.inspectNetwork(name), true);
                if (address != null) {
                    return new Address(address.ip(), address.how() == null ? "gateway of " + name : address.how());
                }
            } catch (NotFoundException e) {
                // not created yet: the next one
            }
        }
        return ofInterface(DOCKER0);
    }

    /** The IPv4 address of a network interface of this host, or null. */
    public static Address ofInterface(String name) {
        try {
            NetworkInterface nic = NetworkInterface.getByName(name);
            if (nic != null) {
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    if (a.getAddress() instanceof Inet4Address) {
                        return new Address(a.getAddress().getHostAddress(), name);
                    }
                }
            }
        } catch (SocketException e) {
            // none
        }
        return null;
    }

    /**
     * The gateway of the network a stack's containers join first (the default bridge when the stack has none), found
     * as {@link #of} finds it, creating nothing: {@value #NOT_CREATED} while the stack's network does not exist,
     * {@value #DEFAULT_BRIDGE} when no address can be found.
     */
    public static String forStack(DockerEngine engine, StackSpec spec, boolean engineLocal) {
        StackSpec.NetworkSpec first = spec.firstNetwork();
        Network network;
        try {
            network = engine.inspectNetwork(first == null ? BRIDGE_NETWORK : first.name());
        } catch (NotFoundException e) {
            // the network does not exist yet: known once run creates it
            return first == null ? DEFAULT_BRIDGE : NOT_CREATED;
        }
        Address address = of(network, engineLocal);
        return address == null ? DEFAULT_BRIDGE : address.ip();
    }
}
