// Preloaded (node --require) into a Node.js gRPC client: host names listed in the hosts file
// CLUSTER_HOSTS_FILE ("<ip> <name>" lines) resolve to those addresses, as a JVM's
// -Djdk.net.hosts.file does; other names resolve as usual. gRPC's DNS resolver uses dns.promises.lookup.
"use strict";
const dns = require("node:dns");
const fs = require("node:fs");

function listed(hostname) {
    const file = process.env.CLUSTER_HOSTS_FILE;
    if (!file) return [];
    return fs.readFileSync(file, "utf8").split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(([address, name]) => address && name === hostname)
        .map(([address]) => ({ address, family: 4 }));
}

const lookup = dns.promises.lookup.bind(dns.promises);
dns.promises.lookup = async (hostname, options) => {
    const found = listed(hostname);
    if (found.length === 0) return lookup(hostname, options);
    return options && options.all ? found : found[0];
};
