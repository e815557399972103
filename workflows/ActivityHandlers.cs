using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.ClaimOnMobile;
using ESeal.Workflows.Activities.CommitBind;
using ESeal.Workflows.Activities.CommitUnbind;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Activities.PinProof;
using ESeal.Workflows.Activities.ReadingNotice;
using ESeal.Workflows.Activities.Result;
using ESeal.Workflows.Face;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows;

/// <summary>The handlers of every ESeal.* activity type, wired to their collaborators.</summary>
public static class ActivityHandlers
{
    public static IReadOnlyList<IActivityHandler> Create(MediumChangeCommands commands, ProofVerifier verifier, IFaceVerificationProvider faces) =>
    [
        new ReadingNoticeHandler(),
        new DetectKeyHandler(verifier.Trust),
        new ChooseCertificateHandler(),
        new HolderFormHandler(),
        new ChooseSealHandler(),
        new PinProofHandler(verifier),
        new LegalRepFaceVerificationHandler(faces),
        new CommitBindHandler(commands),
        new CommitUnbindHandler(commands),
        new ClaimOnMobileHandler(commands),
        new ResultHandler(),
    ];

    public static FlowRuntime Runtime(Database database, Flowcharts.FlowDefinitionStore store, TimeProvider clock, FlowSettings settings, ProofVerifier verifier, IFaceVerificationProvider faces) =>
        new(database, store, clock, settings, Create(new MediumChangeCommands(database, clock), verifier, faces));
}
