package io.jtipc.node;

/** The socket types jtipc implements (socket.c, uapi {@code SOCK_RDM}, {@code SOCK_DGRAM}, ...). */
public enum SocketType { RDM, DGRAM, SEQPACKET, STREAM }
