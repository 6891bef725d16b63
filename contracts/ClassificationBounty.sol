// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.19;

/// @title ClassificationBounty
/// @notice Acts on zero_g proofs: records the class a zero_g verifier proved for a committed
///         image, and pays a reward for each new image proven to be of the target class.
/// @dev The verifier must prove the statement
///      `zero_g generate-keys --public class --commitment --model-digest --bind` (one image),
///      whose public inputs are, in order:
///        [class, commitment, modelDigestHi, modelDigestLo, boundTo]
///      `boundTo` is the submitter's address: a proof only verifies when sent by the account it
///      was made for (`zero_g proof --bind-to <address>`), so a proof copied from the mempool is
///      useless to a front-runner. The model digest is fixed here and passed by this contract,
///      so a proof about any other model is rejected; the verifier's code (hence its verifying
///      key) is checked once, at construction. Every public word it passes must be canonical
///      (below the BN254 scalar modulus r): the verifier reads words mod r, so `c` and `c + r`
///      would be one proof under two record keys; zero_g's verifiers revert on such words, and
///      this contract refuses a commitment ≥ r itself (`NonCanonicalCommitment`).
///      A shared verifier (`zero_g deploy-evm-verifier --shared`) serves every model of one
///      circuit and reads the verifying key's words from a key-data contract named after the
///      proof: with `keyData` set, its code hash is checked at construction as the verifier's
///      is (a key-data contract is STOP and words: its code never runs and cannot change),
///      and every call names it, so only proofs under this model's key are accepted.
///      A commitment is not an image: the same image under a new salt is a new commitment. With
///      an `attester` (e.g. whoever holds or captured the images), only commitments it
///      attested are accepted, so each rewarded image was registered once, beforehand; with
///      attester zero every commitment is accepted (a registry, or a bounty per commitment).
contract ClassificationBounty {
    /// The zero_g verifier (raw calldata: public inputs as 32-byte words, then the proof).
    address public immutable verifier;
    /// For a shared verifier, the contract holding the model's key data (zero otherwise).
    address public immutable keyData;
    /// SHA-256 digest of the model the verifier's key was generated for.
    bytes32 public immutable modelDigest;
    /// The class that earns the reward.
    uint256 public immutable targetClass;
    /// Wei paid per newly proven image of the target class (while the balance lasts).
    uint256 public immutable reward;
    /// Who may attest commitments (zero: every commitment is accepted).
    address public immutable attester;

    /// The BN254 scalar field modulus r: public inputs are field elements, below r.
    uint256 internal constant SCALAR_MODULUS =
        0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// Commitments the attester registered.
    mapping(uint256 => bool) public attested;

    struct Record {
        address prover; // zero: not classified yet
        uint64 blockNumber;
        uint16 class;
    }

    /// Proven classifications by image commitment.
    mapping(uint256 => Record) public records;

    /// A classification was proven and recorded.
    event Classified(uint256 indexed commitment, uint256 indexed class, address indexed prover);
    /// A reward was paid.
    event Rewarded(address indexed prover, uint256 indexed commitment, uint256 amount);
    /// The bounty received funds.
    event Funded(address indexed from, uint256 amount);
    /// The attester registered a commitment.
    event Attested(uint256 indexed commitment);

    /// The verifier at the given address does not have the expected code.
    error WrongVerifier();
    /// The key-data contract at the given address does not have the expected code.
    error WrongKeyData();
    /// This image has been classified already.
    error AlreadyClassified(uint256 commitment);
    /// The verifier rejected the proof.
    error InvalidProof();
    /// The class is not a class index of any zero_g model (they have at most 2^16 classes).
    error ClassOutOfRange(uint256 class);
    /// The reward could not be paid.
    error PaymentFailed();
    /// Only the attester may attest.
    error NotAttester();
    /// The attester has not registered this commitment.
    error NotAttested(uint256 commitment);
    /// The commitment is not below r (not the canonical encoding of a field element).
    error NonCanonicalCommitment(uint256 commitment);

    constructor(
        address verifier_,
        bytes32 verifierCodehash,
        address keyData_,
        bytes32 keyDataCodehash,
        bytes32 modelDigest_,
        uint256 targetClass_,
        uint256 reward_,
        address attester_
    ) payable {
        if (verifier_.code.length == 0 || verifier_.codehash != verifierCodehash) {
            revert WrongVerifier();
        }
        if (keyData_ != address(0) && (keyData_.code.length == 0 || keyData_.codehash != keyDataCodehash)) {
            revert WrongKeyData();
        }
        verifier = verifier_;
        keyData = keyData_;
        modelDigest = modelDigest_;
        targetClass = targetClass_;
        reward = reward_;
        attester = attester_;
        if (msg.value > 0) emit Funded(msg.sender, msg.value);
    }

    receive() external payable {
        emit Funded(msg.sender, msg.value);
    }

    /// @notice Registers image commitments (attester only): only they can then be submitted.
    function attest(uint256[] calldata commitments) external {
        if (msg.sender != attester) revert NotAttester();
        for (uint256 i = 0; i < commitments.length; i++) {
            if (commitments[i] >= SCALAR_MODULUS) revert NonCanonicalCommitment(commitments[i]);
            attested[commitments[i]] = true;
            emit Attested(commitments[i]);
        }
    }

    /// @notice Submits a proof that the image with `commitment` is of class `class_`, made for
    ///         the sender. Records it, and pays the reward if the class is the target class and
    ///         the bounty still holds enough.
    /// @return rewarded Whether a reward was paid.
    function submit(uint256 class_, uint256 commitment, bytes calldata proof)
        external
        returns (bool rewarded)
    {
        if (class_ > type(uint16).max) revert ClassOutOfRange(class_);
        if (commitment >= SCALAR_MODULUS) revert NonCanonicalCommitment(commitment);
        if (records[commitment].prover != address(0)) revert AlreadyClassified(commitment);
        if (attester != address(0) && !attested[commitment]) revert NotAttested(commitment);
        uint256 digest = uint256(modelDigest);
        bytes memory data = abi.encodePacked(
            class_, commitment, digest >> 128, digest & type(uint128).max, uint256(uint160(msg.sender)), proof
        );
        if (keyData != address(0)) data = abi.encodePacked(data, uint256(uint160(keyData)));
        (bool ok,) = verifier.staticcall(data);
        if (!ok) revert InvalidProof();
        records[commitment] = Record(msg.sender, uint64(block.number), uint16(class_));
        emit Classified(commitment, class_, msg.sender);
        if (class_ == targetClass && address(this).balance >= reward && reward > 0) {
            (bool paid,) = msg.sender.call{value: reward}("");
            if (!paid) revert PaymentFailed();
            emit Rewarded(msg.sender, commitment, reward);
            return true;
        }
        return false;
    }

    /// @notice The proven class of a committed image, if any.
    function classOf(uint256 commitment) external view returns (bool known, uint256 class_) {
        Record memory r = records[commitment];
        return (r.prover != address(0), r.class);
    }
}
