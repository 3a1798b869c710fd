using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Publisher.Core.Domain;

namespace Publisher.Web.Security;

/// <summary>
/// Makes a sign-in with an address that has no account (or an invited account that has no password yet) cost what
/// a wrong password costs: one password-hash verification, with the same hasher and settings, against a hash of a
/// random password made once per process. Without it the unknown address answers in a few milliseconds and a known
/// one in a few hundred, which tells anyone with a list of addresses who works here.
/// </summary>
public sealed class DecoyPasswordCheck(IPasswordHasher<AppUser> hasher)
{
    private static readonly AppUser Decoy = new() { UserName = "decoy@publisher.invalid" };
    private static string? _decoyHash;

    /// <summary>Verifies <paramref name="password"/> against the decoy hash; the answer is always no.</summary>
    public void Verify(string password)
    {
        var hash = _decoyHash ??= hasher.HashPassword(Decoy, RandomNumberGenerator.GetHexString(32));
        hasher.VerifyHashedPassword(Decoy, hash, password);
    }
}
