package com.mlreef.offline.run;

import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One way to the gateway, for run's pip server URL and doctor's gateway lines. */
class NetworkGatewayTest {
    private static final StackSpec ON_NET = StackFile.parse("name: s\nservices:\n  web:\n    image: web:1\n"
            + "    networks: [net]\nnetworks:\n  net:\n    name: s-net\n", "test", null, Map.of(), w -> { });
    private static final StackSpec WITHOUT_NETWORKS = StackFile.parse("name: s\nservices:\n  web:\n    image: web:1\n"
            + "    network_mode: bridge\n", "test", null, Map.of(), w -> { });

    private static Network network(String name, String subnet, String gateway) {
        return new Network(name, "id", "bridge", "local", new Network.Ipam("default",
                List.of(new Network.IpamConfig(subnet, gateway))), Map.of(), Map.of(), Map.of(), false);
    }

    /** An engine that has the networks given, by name. */
    public static class Networks {
        final Map<String, Network> networks;

        Networks(Map<String, Network> networks) {
            this.networks = networks;
        }

        public Network inspectNetwork(String name) {
            Network n = networks.get(name);
            if (n == null) {
                throw new NotFoundException("inspecting network " + name, "network " + name + " not found");
            }
            return n;
        }
    }

    private static String forStack(StackSpec stack, Map<String, Network> networks) {
        return NetworkGateway.forStack(FakeEngine.of(new Networks(networks)), stack, false);
    }

    @Test
    void theEngineReportsTheGatewayElseTheSubnetGivesIt() {
        assertEquals(new NetworkGateway.Address("10.5.0.1", null),
                NetworkGateway.of(network("n", "10.5.0.0/24", "10.5.0.1"), false));
        NetworkGateway.Address first = NetworkGateway.of(network("bridge", "172.18.0.0/16", null), false);
        assertEquals("172.18.0.1 (first address of 172.18.0.0/16)", first.shown());
        assertNull(NetworkGateway.of(network("v6", "fd00::/64", null), false));
    }

    @Test
    void runTakesTheStackNetworksGatewayAndAPlaceholderUntilItExists() {
        assertEquals("10.5.0.1", forStack(ON_NET, Map.of("s-net", network("s-net", "10.5.0.0/24", "10.5.0.1"))));
        assertEquals("10.5.0.1", forStack(ON_NET, Map.of("s-net", network("s-net", "10.5.0.0/24", null))));
        assertEquals("0.0.0.0", forStack(ON_NET, Map.of()));
    }

    @Test
    void aStackWithoutNetworksTakesTheDefaultBridgesGateway() {
        assertEquals("172.18.0.1", forStack(WITHOUT_NETWORKS, Map.of("bridge", network("bridge", "172.18.0.0/16", null))));
        assertEquals("172.17.0.1", forStack(WITHOUT_NETWORKS, Map.of()));
    }
}
