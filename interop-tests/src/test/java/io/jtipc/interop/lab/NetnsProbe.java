package io.jtipc.interop.lab;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collections;

/**
 * Run by {@link KernelPairLabTest} in the lab namespace through {@link Lab#startJava}: prints the
 * interfaces it sees ({@code IF name}), then echoes TCP connections on the given address and port
 * ({@code READY}, {@code ECHO n} per connection) for at most 30 s.
 */
public final class NetnsProbe {
    private NetnsProbe() {
    }

    public static void main(String[] args) throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            System.out.println("IF " + ni.getName());
        }
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 4, InetAddress.getByName(args[0]))) {
            server.setSoTimeout(30_000);
            System.out.println("READY");
            while (true) {
                try (Socket c = server.accept()) {
                    c.setSoTimeout(10_000);
                    InputStream in = c.getInputStream();
                    OutputStream out = c.getOutputStream();
                    byte[] buf = new byte[2048];
                    int total = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        out.flush();
                        total += n;
                        if (buf[n - 1] == '\n') {
                            break;
                        }
                    }
                    System.out.println("ECHO " + total);
                }
            }
        }
    }
}
