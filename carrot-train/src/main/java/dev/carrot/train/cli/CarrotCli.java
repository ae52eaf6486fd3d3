package dev.carrot.train.cli;

public final class CarrotCli {
    public static void main(String[] args) {
    }
}
