package io.hardneg.producer;

/** An image to send: its id (the record key), its label (null for none) and its encoded bytes. */
public record LabeledImage(String id, String label, byte[] bytes) {
}
