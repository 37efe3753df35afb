/**
 * The model zoo: {@link dev.sfd.workload.zoo.ZooGenerator} and its builder write the reference networks in
 * {@code models/networks/} (ResNet, MobileNetV2, VGG, BERT, GPT-2, ViT) in the {@code sfd-network/1} format.
 */
package dev.sfd.workload.zoo;
